import { readFileSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { DEFAULT_PROBE_TIMEOUT, describeResponse, main, MAX_PROBE_TIMEOUT, probe, USAGE } from '../lib/cli'
import { escapeControls } from '../lib/formats/escape'
import { freePort, serveHttp } from './helpers/net'

/** Runs the command in-process and collects what it writes. */
async function run (argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: { write: (text: string) => { stdout += text } },
    stderr: { write: (text: string) => { stderr += text } }
  })
  return { code, stdout, stderr }
}

/** A real server on 127.0.0.1 answering every request with `handler`; closed when the test ends. */
async function serve (t: Test, handler: RequestListener): Promise<string> {
  return `${(await serveHttp(t, handler)).base}/health`
}

function json (status: number, body: unknown): RequestListener {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }
}

const check = (status: string, extra: object = {}): object => ({ status, timestamp: 1, duration: 0.1, ...extra })

t.test('healthy: exit 0 and the passing checks', async t => {
  const url = await serve(t, json(200, { status: 'healthy', timestamp: 1, checks: { database: check('pass'), cache: check('pass') } }))
  t.same(await run(['probe', url]), { code: 0, stdout: 'healthy (200): database=pass, cache=pass\n', stderr: '' })
})

t.test('healthy without details: exit 0, the status word of the report and the status code', async t => {
  const url = await serve(t, json(200, { status: 'ready', timestamp: 1 }))
  t.same(await run(['probe', url, '--timeout', '2000']), { code: 0, stdout: 'ready (200)\n', stderr: '' })
})

t.test('the first word is the status the report gives', async t => {
  const notReady = await serve(t, json(503, { status: 'not_ready', timestamp: 1, checks: { migrations: check('fail') } }))
  t.same(await run(['probe', notReady]), { code: 1, stdout: 'not_ready (503): migrations=fail\n', stderr: '' })
  for (const status of ['healthy', 'unhealthy', 'ready', 'not_ready', 'started', 'starting', 'pass', 'warn', 'fail']) {
    t.equal(describeResponse(200, JSON.stringify({ status })), `${status} (200)`)
  }
  t.equal(describeResponse(200, '{"status":"UP"}'), 'healthy (200)', 'a word that is not a report status: by the status code')
  t.equal(describeResponse(503, '{"status":"UP"}'), 'unhealthy (503)')
  t.equal(describeResponse(503, '{"status":"\\u001b[2Jhealthy"}'), 'unhealthy (503)', 'a word is taken only when it is one of the known ones')
})

t.test('application/health+json: each name maps to a list of results with an output', async t => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/health+json' }).end(JSON.stringify({
      status: 'fail',
      checks: {
        'cassandra:responseTime': [
          { componentId: 'a', status: 'pass', observedValue: 2, observedUnit: 'ms' },
          { componentId: 'b', status: 'fail', output: 'timed out' }
        ],
        uptime: [{ status: 'pass', output: 'fine' }],
        'memory:utilization': [{ status: 'warn', output: 'above 90%' }],
        broken: 'not a list',
        empty: []
      }
    }))
  })
  t.same(await run(['probe', url]), {
    code: 1,
    stdout: 'fail (503): cassandra:responseTime=fail: timed out, memory:utilization=warn: above 90%\n',
    stderr: ''
  })
  t.equal(describeResponse(200, JSON.stringify({ status: 'pass', checks: { uptime: [{ status: 'pass', output: 'fine' }] } })),
    'pass (200): uptime=pass', 'a passing output is left out')
})

t.test('control characters are escaped: the output is one line and sends no escape sequence', async t => {
  const url = await serve(t, json(503, {
    status: 'unhealthy',
    timestamp: 1,
    checks: {
      'db\nfake=pass': check('error', { error: 'boom\u001b]0;owned\u0007\u001b[31m red \u009b1m \u007f' }),
      'x\u2028y': check('fail'),
      'tab\there': check('fail', { error: 'line\u2029para' })
    }
  }))
  const { code, stdout } = await run(['probe', url])
  t.equal(code, 1)
  t.equal(stdout, 'unhealthy (503): db\\nfake=pass=error: boom\\x1b]0;owned\\x07\\x1b[31m red \\x9b1m \\x7f, x\\u2028y=fail, tab\\there=fail: line para\n')
  t.equal(stdout.split('\n').length, 2, 'one line')

  const text = await serve(t, (_req, res) => { res.writeHead(500).end('\u001b[2J\u0000oops') })
  t.same(await run(['probe', text]), { code: 1, stdout: 'unhealthy (500): \\x1b[2J\\x00oops\n', stderr: '' })

  t.same(await run(['probe', 'http://exa\u0085mple\u001b.com\u0000/']),
    { code: 2, stdout: '', stderr: `fastify-health: invalid URL "http://exa\\x85mple\\u001b.com\\u0000/"\n\n${USAGE}` })
  t.same(await run(['probe', 'ftp://x/\u2028']),
    { code: 2, stdout: '', stderr: `fastify-health: invalid URL "ftp://x/\\u2028" (http: or https: only)\n\n${USAGE}` })

  t.equal(escapeControls('a\r\n\t\u0000\u001f\u007f\u0080\u009f\u00a0\u2028\u2029é€'), 'a\\r\\n\\t\\x00\\x1f\\x7f\\x80\\x9f\u00a0\\u2028\\u2029é€',
    'only C0, DEL, C1, U+2028 and U+2029')
})

t.test('healthy with a failing non-critical check: exit 0, the failing check shown', async t => {
  const url = await serve(t, json(200, {
    status: 'healthy',
    timestamp: 1,
    checks: { database: check('pass'), cache: check('fail', { critical: false }) }
  }))
  t.same(await run(['probe', url]), { code: 0, stdout: 'healthy (200): cache=fail (non-critical)\n', stderr: '' })
})

t.test('unhealthy: exit 1 and the checks that fail or error, with their errors', async t => {
  let method = ''
  const url = await serve(t, (req, res) => {
    method = req.method ?? ''
    json(503, {
      status: 'unhealthy',
      timestamp: 1,
      checks: { disk: check('pass'), cache: check('fail'), database: check('error', { error: 'Connection timeout' }) }
    })(req, res)
  })
  t.same(await run(['probe', url]), { code: 1, stdout: 'unhealthy (503): cache=fail, database=error: Connection timeout\n', stderr: '' })
  t.equal(method, 'GET')
})

t.test('a body that is not a report: the status code and its text', async t => {
  const gateway = await serve(t, (_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad\n  Gateway</h1>\n') })
  t.same(await run(['probe', gateway]), { code: 1, stdout: 'unhealthy (502): <h1>Bad Gateway</h1>\n', stderr: '' })

  const notFound = await serve(t, json(404, { message: 'Route GET:/health not found', error: 'Not Found', statusCode: 404 }))
  t.match(await run(['probe', notFound]), { code: 1, stdout: /^unhealthy \(404\): \{"message":"Route GET:\/health not found",.*\}\n$/ })

  const empty = await serve(t, (_req, res) => { res.writeHead(204).end() })
  t.same(await run(['probe', empty]), { code: 0, stdout: 'healthy (204)\n', stderr: '' })
})

t.test('a huge body is cut: only the start is read and shown', async t => {
  const url = await serve(t, (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' })
    // Far more than the probe reads; the server must not mind the probe hanging up.
    res.on('error', () => {})
    res.end('x'.repeat(1024 * 1024))
  })
  const { code, stdout } = await run(['probe', url])
  t.equal(code, 1)
  t.equal(stdout, `unhealthy (500): ${'x'.repeat(199)}…\n`)
})

t.test('refused connection: exit 1 with the reason', async t => {
  const port = await freePort()
  t.same(await run(['probe', `http://127.0.0.1:${port}/health`]),
    { code: 1, stdout: `unhealthy: connect ECONNREFUSED 127.0.0.1:${port}\n`, stderr: '' })
  t.same(await run(['probe', `https://127.0.0.1:${port}/health`]),
    { code: 1, stdout: `unhealthy: connect ECONNREFUSED 127.0.0.1:${port}\n`, stderr: '' }, 'https goes through node:https')
})

t.test('a server slower than --timeout: exit 1, timed out', async t => {
  const silent = await serve(t, () => {})
  t.same(await run(['probe', silent, '--timeout', '100']), { code: 1, stdout: 'unhealthy: timed out after 100 ms\n', stderr: '' })

  // Headers sent, body never finished: the timeout covers reading the body too.
  const stalled = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"status":')
  })
  t.same(await run(['probe', '--timeout=150', stalled]), { code: 1, stdout: 'unhealthy: timed out after 150 ms\n', stderr: '' })
})

t.test('an invalid URL is a bad argument: exit 2, the URL shown without its credentials', async t => {
  const usage = (problem: string): object => ({ code: 2, stdout: '', stderr: `fastify-health: ${problem}\n\n${USAGE}` })
  t.same(await run(['probe', 'localhost:9090/health']), usage('invalid URL "localhost:9090/health" (http: or https: only)'))
  t.same(await run(['probe', '/health']), usage('invalid URL "/health"'))
  t.same(await run(['probe', 'ftp://x']), usage('invalid URL "ftp://x" (http: or https: only)'))
  t.same(await run(['probe', 'http://monitor:token@[::1']), usage('invalid URL "http://***@[::1"'))
  t.same(await run(['probe', 'ftp://monitor:token@files.internal/']), usage('invalid URL "ftp://***@files.internal/" (http: or https: only)'))
  t.same(await run(['probe', 'http://a@b:to@ken@[::1/x']), usage('invalid URL "http://***@[::1/x"'), 'up to the last @')
  t.same(await probe('http://monitor:token@[::1', 1000), { healthy: false, line: 'unhealthy: invalid URL "http://***@[::1"' },
    'probe() called directly answers unhealthy, redacted too')
})

t.test('--version prints the version of the package and exits 0', async t => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
  t.match(version, /^\d+\.\d+\.\d+/)
  for (const argv of [['--version'], ['probe', 'http://x', '--version']]) {
    t.same(await run(argv), { code: 0, stdout: `${version}\n`, stderr: '' }, argv.join(' '))
  }
  t.match(USAGE, /^ {7}fastify-health --version$/m)
  t.match(USAGE, /^ {2}--version {7}print the version/m)
})

t.test('--help prints the usage on stdout and exits 0', async t => {
  for (const argv of [['--help'], ['-h'], ['probe', '--help'], ['probe', 'http://x', '-h']]) {
    t.same(await run(argv), { code: 0, stdout: USAGE, stderr: '' }, argv.join(' '))
  }
  t.match(USAGE, /^Usage: fastify-health probe <url> \[--timeout <ms>\]/)
  t.match(USAGE, `default ${DEFAULT_PROBE_TIMEOUT}`)
})

t.test('bad arguments print the problem and the usage on stderr and exit 2', async t => {
  const cases: Array<[string[], string | RegExp]> = [
    [[], 'missing command'],
    [['check', 'http://x'], 'unknown command "check"'],
    [['probe'], 'missing <url>'],
    [['probe', 'http://x', 'http://y'], 'unexpected argument "http://y"'],
    [['probe', 'http://x', '--verbose'], /^fastify-health: unknown option "--verbose"\n/],
    [['probe', 'http://x', '--timout', '100'], /^fastify-health: unknown option "--timout" \(did you mean "--timeout"\?\)\n/],
    [['probe', 'http://x', '--time=100'], 'unknown option "--time" (did you mean "--timeout"?)'],
    [['probe', 'http://x', '--verison'], 'unknown option "--verison" (did you mean "--version"?)'],
    [['probe', 'http://x', '--hlep'], 'unknown option "--hlep" (did you mean "--help"?)'],
    [['probe', 'http://x', '-t', '100'], 'unknown option "-t" (did you mean "--timeout"?)'],
    [['-v'], 'unknown option "-v" (did you mean "--version"?)'],
    [['probe', 'http://x', '-x'], /^fastify-health: unknown option "-x"\n/],
    [['probe', 'http://x', '--timeout'], /^fastify-health: option "--timeout" needs a value\n/],
    [['probe', 'http://x', '--help=yes'], /^fastify-health: option "--help" takes no value\n/],
    [['--version=1'], /^fastify-health: option "--version" takes no value\n/],
    [['probe', 'http://x', '--timeout', '3000000000'], `--timeout must be at most ${MAX_PROBE_TIMEOUT} ms (about 24.8 days), received "3000000000"`],
    [['probe', 'http://x', '--timeout', '2147483648'], '--timeout must be at most 2147483647 ms'],
    [['probe', 'http://x', '--timeout', 'Infinity'], '--timeout must be a positive number of milliseconds, received "Infinity"'],
    [['probe', 'http://x', '--timeout', 'soon'], '--timeout must be a positive number of milliseconds, received "soon"'],
    [['probe', 'http://x', '--timeout', '0'], '--timeout must be a positive number of milliseconds, received "0"'],
    [['probe', 'http://x', '--timeout= '], '--timeout must be a positive number of milliseconds, received " "']
  ]
  for (const [argv, problem] of cases) {
    const { code, stdout, stderr } = await run(argv)
    t.equal(code, 2, argv.join(' '))
    t.equal(stdout, '')
    t.match(stderr, problem)
    t.ok(stderr.startsWith('fastify-health: ') && stderr.endsWith(USAGE), 'the usage follows the problem')
    t.notMatch(stderr, /Unknown option|argument missing|To specify a positional/, 'not Node\'s own parseArgs text')
  }
})

t.test('the largest --timeout is accepted and does not fire early', async t => {
  t.equal(MAX_PROBE_TIMEOUT, 2147483647)
  t.match(USAGE, `at most ${MAX_PROBE_TIMEOUT}`)
  // A server that answers only after a while: with a timeout turned into 1 ms the probe would give up first.
  const url = await serve(t, (_req, res) => { setTimeout(() => { json(200, { status: 'healthy' })(_req, res) }, 30) })
  t.same(await run(['probe', url, '--timeout', String(MAX_PROBE_TIMEOUT)]), { code: 0, stdout: 'healthy (200)\n', stderr: '' })
})

t.test('describeResponse', async t => {
  t.equal(describeResponse(200, ''), 'healthy (200)')
  t.equal(describeResponse(299, 'ok'), 'healthy (299): ok')
  t.equal(describeResponse(301, ''), 'unhealthy (301)')
  t.equal(describeResponse(199, ''), 'unhealthy (199)')
  t.equal(describeResponse(503, '42'), 'unhealthy (503): 42', 'JSON that is not an object')
  t.equal(describeResponse(503, '[{"status":"x"}]'), 'unhealthy (503): [{"status":"x"}]', 'an array is not a report')
  t.equal(describeResponse(503, '{"status":"unhealthy","checks":null}'), 'unhealthy (503)')
  t.equal(describeResponse(503, '{"status":"unhealthy","checks":{"a":5,"b":{"status":"fail","error":7},"c":{},"d":[1,{"x":1}]}}'),
    'unhealthy (503): b=fail', 'entries that are not check results are skipped')
  t.equal(describeResponse(503, JSON.stringify({ status: 'unhealthy', checks: { db: { status: 'error', error: 'line one\n  line two' } } })),
    'unhealthy (503): db=error: line one line two', 'an error stays on one line')
  t.equal(describeResponse(200, JSON.stringify({ status: 'healthy', checks: {} })), 'healthy (200)')
})
