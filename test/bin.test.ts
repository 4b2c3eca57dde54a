import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { serveHttp } from './helpers/net'
import { childEnv, TEST_LOADER } from './helpers/process'

const root = join(__dirname, '..')

/**
 * Runs the real command, lib/bin.ts through the tests' loader, so that no build is needed (dist/bin.js is the same
 * code compiled by tsc). The child must not add to this run's coverage report: its cli.ts would be merged with the
 * one of test/cli.test.ts. Deleting NODE_V8_COVERAGE is not enough, because tap's process tracking re-adds its hooks
 * to every child it sees spawned; `_TAPJS_PROCESSINFO_COVERAGE_=0` is its switch to leave coverage off there.
 * NODE_OPTIONS goes too, so that nothing of tap's is loaded in the child.
 */
async function bin (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const env = childEnv()
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, ['--import', TEST_LOADER, join(root, 'lib', 'bin.ts'), ...args], { cwd: root, env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'close') as [number | null]
  return { code, stdout, stderr }
}

t.test('package.json maps the fastify-health command to the compiled bin.ts, which has a shebang', async t => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> }
  t.same(pkg.bin, { 'fastify-health': 'dist/bin.js' })
  t.match(readFileSync(join(root, 'lib', 'bin.ts'), 'utf8'), /^#!\/usr\/bin\/env node\n/)
})

t.test('exit codes and output of the real process', async t => {
  // /ok answers 200 with a passing check, anything else 503 with an erroring one.
  const { base } = await serveHttp(t, (req, res) => {
    const ok = req.url === '/ok'
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
    res.end(JSON.stringify({
      status: ok ? 'healthy' : 'unhealthy',
      timestamp: 1,
      checks: { database: ok ? { status: 'pass', timestamp: 1, duration: 1 } : { status: 'error', error: 'Connection timeout', timestamp: 1, duration: 1 } }
    }))
  })

  // Started together: each child takes a while to load tsx.
  const [healthy, unhealthy, help, bad, version, typo] = await Promise.all([
    bin(['probe', `${base}/ok`]),
    bin(['probe', `${base}/bad`, '--timeout', '3000']),
    bin(['--help']),
    bin(['probe']),
    bin(['--version']),
    bin(['probe', `${base}/ok`, '--timout', '3000'])
  ])
  t.same(healthy, { code: 0, stdout: 'healthy (200): database=pass\n', stderr: '' })
  t.same(unhealthy, { code: 1, stdout: 'unhealthy (503): database=error: Connection timeout\n', stderr: '' })
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: fastify-health probe <url>/)
  t.equal(bad.code, 2)
  t.equal(bad.stdout, '')
  t.match(bad.stderr, /^fastify-health: missing <url>\n\nUsage: /)
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  t.same(version, { code: 0, stdout: `${pkg.version}\n`, stderr: '' }, 'the version is read from package.json')
  t.equal(typo.code, 2)
  t.match(typo.stderr, /^fastify-health: unknown option "--timout" \(did you mean "--timeout"\?\)\n\nUsage: /)
})
