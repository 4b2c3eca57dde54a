import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { performance } from 'node:perf_hooks'
import { inspect } from 'node:util'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { http } from '../../lib/checks/http'
import healthPlugin from '../../lib/index'
import { captureLogs } from '../helpers/logs'
import { freePort, serveHttp } from '../helpers/net'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })

interface Seen { method: string, url: string, headers: IncomingHttpHeaders }

/**
 * A real server on 127.0.0.1: `/status/N` answers N, `/redirect` answers 302, `/slow` never answers. It records the
 * requests it sees.
 */
async function startServer (t: Test): Promise<{ base: string, seen: Seen[], server: Server }> {
  const seen: Seen[] = []
  const { base, server } = await serveHttp(t, (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const status = /^\/status\/(\d{3})$/.exec(req.url ?? '')
    if (status !== null) {
      res.statusCode = Number(status[1])
      res.end(status[1] === '204' ? undefined : 'body '.repeat(1000))
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/status/200' }).end()
    }
    // Anything else (/slow) is left unanswered.
  })
  return { base, seen, server }
}

/** The fields a passing run resolves with; the response time is a real measurement, so only its shape is fixed. */
const passed = { status: 'pass', observedValue: Number, observedUnit: 'ms' }
const failed = (output: string): object => ({ status: 'fail', output, observedValue: Number, observedUnit: 'ms' })

t.test('passes on 2xx and fails with the status otherwise', async t => {
  const { base } = await startServer(t)
  t.match(await http(`${base}/status/200`)(context()), passed)
  t.match(await http(new URL(`${base}/status/204`))(context()), passed, 'a URL object and a 204 without body')
  t.match(await http(`${base}/status/299`)(context()), passed)
  t.match(await http(`${base}/status/500`)(context()), failed('status 500, expected 2xx'))
  t.match(await http(`${base}/status/404`)(context()), failed('status 404, expected 2xx'))
  t.match(await http(`${base}/status/300`)(context()), failed('status 300, expected 2xx'))
})

t.test('reports the response time in milliseconds, to the microsecond', async t => {
  const { base } = await startServer(t)
  const before = performance.now()
  const outcome = await http(`${base}/status/200`)(context())
  const wall = performance.now() - before
  t.same(Object.keys(outcome).sort(), ['observedUnit', 'observedValue', 'status'], 'no output when it passes')
  const ms = outcome.observedValue as number
  t.ok(ms > 0 && ms <= wall, `0 < ${ms} <= ${wall}`)
  t.equal(Math.round(ms * 1000) / 1000, ms, 'at most 3 decimals')
})

t.test('does not follow redirects', async t => {
  const { base, seen } = await startServer(t)
  t.match(await http(`${base}/redirect`)(context()), failed('status 302, expected 2xx'))
  t.same(seen.map(r => r.url), ['/redirect'], 'the location was not requested')
  t.match(await http(`${base}/redirect`, { expectStatus: 302 })(context()), passed)
})

t.test('expectStatus takes a number or a list', async t => {
  const { base } = await startServer(t)
  t.match(await http(`${base}/status/503`, { expectStatus: 503 })(context()), passed)
  t.match(await http(`${base}/status/200`, { expectStatus: 503 })(context()), failed('status 200, expected 503'))
  t.match(await http(`${base}/status/204`, { expectStatus: [200, 204] })(context()), passed)
  t.match(await http(`${base}/status/201`, { expectStatus: [200, 204] })(context()), failed('status 201, expected 200 or 204'))
})

t.test('sends the method and headers given', async t => {
  const { base, seen } = await startServer(t)
  t.match(await http(`${base}/status/200`, { method: 'HEAD', headers: { authorization: 'Bearer probe', 'x-probe': '1' } })(context()), passed)
  t.match(await http(`${base}/status/200`, { method: 'POST' })(context()), passed)
  t.match(await http(`${base}/status/200`)(context()), passed)
  t.same(seen.map(r => r.method), ['HEAD', 'POST', 'GET'])
  t.equal(seen[0].headers.authorization, 'Bearer probe')
  t.equal(seen[0].headers['x-probe'], '1')
  t.equal(seen[1].headers['x-probe'], undefined)
})

t.test('credentials in the URL are sent as basic authentication and never shown', async t => {
  const { base, seen } = await startServer(t)
  const port = new URL(base).port
  // Percent-encoded as a URL requires: the user is "svc", the password "p@ss w:rd€".
  const secret = 'p%40ss%20w%3Ard%E2%82%AC'
  t.match(await http(`http://svc:${secret}@127.0.0.1:${port}/status/200`)(context()), passed)
  t.equal(seen[0].headers.authorization, `Basic ${Buffer.from('svc:p@ss w:rd€').toString('base64')}`)
  t.equal(seen[0].url, '/status/200')

  t.match(await http(`http://svc@127.0.0.1:${port}/status/200`)(context()), passed, 'a user alone')
  t.equal(seen[1].headers.authorization, `Basic ${Buffer.from('svc:').toString('base64')}`)

  t.match(await http(new URL(`http://svc:${secret}@127.0.0.1:${port}/status/200`), { headers: { Authorization: 'Bearer own' } })(context()), passed)
  t.equal(seen[2].headers.authorization, 'Bearer own', 'an authorization header given takes precedence')

  t.match(await http(`http://127.0.0.1:${port}/status/200`)(context()), passed)
  t.equal(seen[3].headers.authorization, undefined, 'no credentials, no authorization header')

  const status = await http(`http://svc:${secret}@127.0.0.1:${port}/status/401`)(context())
  t.equal(status.output, 'status 401, expected 2xx')

  const closed = await freePort()
  const refused = await http(`http://svc:${secret}@127.0.0.1:${closed}/`)(context())
  t.equal(refused.output, `connect ECONNREFUSED 127.0.0.1:${closed}`)
  t.notMatch(inspect(refused), /p%40ss|p@ss/, 'not in the outcome of a refused connection')
  const error = await http(`http://svc:${secret}@no-such-host.invalid/`)(context()).then(() => null, (err: Error) => err)
  t.match(error?.message, /no-such-host\.invalid/)
  t.notMatch(inspect(error), /p%40ss|p@ss/, 'not in the error, its stack or its properties')
})

t.test('a report never shows the password, nor does the log', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'trace', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin)
  const closed = await freePort()
  app.addHealthCheck('api', http(`http://svc:hunter2@127.0.0.1:${closed}/health`))
  const response = await app.inject('/health')
  t.equal(response.statusCode, 503)
  t.match(response.json().checks.api, { status: 'fail', error: `connect ECONNREFUSED 127.0.0.1:${closed}` })
  t.notMatch(response.body, 'hunter2')
  t.ok(logs.lines.length > 0, 'something was logged')
  t.notMatch(JSON.stringify(logs.lines), 'hunter2')
})

t.test('works on ports that fetch refuses', async t => {
  // fetch's "bad port" list includes 10080 and 6666; a real service may still listen there.
  for (const port of [10080, 6666, 6000]) {
    const server = createServer((_req, res) => { res.end('ok') })
    server.listen(port, '127.0.0.1')
    const [err] = await Promise.race([once(server, 'listening').then(() => [null]), once(server, 'error')]) as [Error | null]
    if (err !== null) {
      t.comment(`port ${port} is in use: ${err.message}`)
      continue
    }
    t.teardown(async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    })
    t.match(await http(`http://127.0.0.1:${port}/`)(context()), passed, `port ${port}`)
    return
  }
  t.skip('every blocked port tried is in use on this machine', async () => {})
})

t.test('a slow server is cut off by the signal', async t => {
  const { base, seen, server } = await startServer(t)
  const controller = new AbortController()
  const reason = new DOMException('timed out after 50 ms', 'TimeoutError')
  const arrived = once(server, 'request')
  const run = http(`${base}/slow`)({ signal: controller.signal })
  // Abort once the server has the request, so that it is the request in flight that is cut off.
  await arrived
  controller.abort(reason)
  await t.rejects(run, reason)

  const before = new AbortController()
  before.abort(reason)
  await t.rejects(http(`${base}/slow`)({ signal: before.signal }), reason, 'an aborted signal sends nothing')
  t.equal(seen.length, 1)
})

t.test('a refused connection fails with the system message as output; an unknown host rejects', async t => {
  const port = await freePort()
  const refused = { status: 'fail', output: `connect ECONNREFUSED 127.0.0.1:${port}`, observedValue: Number, observedUnit: 'ms' }
  t.match(await http(`http://127.0.0.1:${port}/health`)(context()), refused)
  t.match(await http(`https://127.0.0.1:${port}/health`)(context()), refused, 'https goes through node:https')
  await t.rejects(http('http://no-such-host.invalid/health')(context()), { message: /no-such-host\.invalid/ })
})

t.test('validates the url and options at once', async t => {
  const bad: Array<[unknown, unknown, RegExp]> = [
    [5, undefined, /^fastify-health: http argument "url" must be an absolute http: or https: URL, received number 5$/],
    ['/health', undefined, /^fastify-health: http argument "url" must be an absolute http: or https: URL, received "\/health"$/],
    ['ftp://example.com/', undefined, /http argument "url" must be an absolute http: or https: URL, received "ftp:\/\/example.com\/"$/],
    ['http://x', 'GET', /^fastify-health: http options must be an object with the keys method, expectStatus, headers, received "GET"$/],
    ['http://x', { timeout: 5 }, /^fastify-health: http options has an unknown key "timeout"; known keys: method, expectStatus, headers$/],
    ['http://x', { method: '' }, /^fastify-health: http option "method" must be an HTTP method such as "GET", received ""$/],
    ['http://x', { method: 'GET /' }, /http option "method" must be an HTTP method/],
    ['http://x', { method: 1 }, /http option "method" must be an HTTP method .*, received number 1$/],
    ['http://x', { expectStatus: 99 }, /^fastify-health: http option "expectStatus" must be an integer from 100 to 599 or a non-empty array of them, received number 99$/],
    ['http://x', { expectStatus: 200.5 }, /http option "expectStatus" must be/],
    ['http://x', { expectStatus: '200' }, /http option "expectStatus" must be .*, received "200"$/],
    ['http://x', { expectStatus: [] }, /http option "expectStatus" must be .*, received an array$/],
    ['http://x', { expectStatus: [200, 600] }, /http option "expectStatus" must be/],
    ['http://x', { headers: { 'x-a': 1 } }, /^fastify-health: http option "headers" must be an object of strings, received an object$/],
    ['http://x', { headers: ['x-a'] }, /http option "headers" must be an object of strings, received an array$/],
    ['http://x', { headers: null }, /http option "headers" must be an object of strings, received null$/],
    ['http://x', { method: 'connect' }, /^fastify-health: http option "method" must be an HTTP method other than CONNECT, received "connect"$/],
    ['http://x', { headers: { 'x-api-key': 'sk-secret\r\nx-evil: 1' } },
      /^fastify-health: http option "headers" must be an object of valid header names .*; the value of header "x-api-key" is not valid, received an object$/],
    ['http://x', { headers: { 'x-api-key': 'sk-secret\u0000' } }, /the value of header "x-api-key" is not valid/],
    ['http://x', { headers: { 'x-api-key': 'sk-secret€' } }, /the value of header "x-api-key" is not valid/],
    ['http://x', { headers: { 'x api key': 'sk-secret' } }, /; the name "x api key" is not a valid header name, received an object$/],
    ['http://x', { headers: { '': 'sk-secret' } }, /; the name "" is not a valid header name/],
    ['ftp://svc:sk-secret@example.com/', undefined, /http argument "url" must be an absolute http: or https: URL, received "ftp:\/\/\*\*\*@example.com\/"$/],
    ['http://svc:sk-secret@', undefined, /http argument "url" must be an absolute http: or https: URL, received "http:\/\/\*\*\*@"$/],
    ['svc:sk-secret@host', undefined, /received "svc:\*\*\*@host"$/],
    ['http://svc:sk/secret@host/', undefined, /received "http:\/\/\*\*\*@host\/"$/],
    ['svc sk-secret@host', undefined, /received "\*\*\*@host"$/],
    ['http://svc:sk-secret%zz@example.com/', undefined,
      /^fastify-health: http argument "url" must be an absolute http: or https: URL with validly percent-encoded credentials, received "http:\/\/\*\*\*@example.com\/"$/]
  ]
  for (const [url, options, message] of bad) {
    t.throws(() => http(url as never, options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect([url, options]))
    try {
      http(url as never, options as never)
    } catch (err) {
      t.notMatch(inspect(err), 'secret', 'the error never echoes a credential or a header value')
    }
  }
  t.type(http('https://example.com/health', { method: 'HEAD', expectStatus: [200], headers: {} }), 'function', 'good options pass')
})
