// The healthcheck command of examples/docker-compose.yml and examples/Dockerfile (`curl -f http://localhost:9090/health`),
// run with the real curl against the full example started with the Dockerfile's own CMD: exit 0 when healthy,
// non-zero when a check fails or when nothing answers.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { readDockerfile } from './helpers/docker'
import Fastify from 'fastify'
import healthPlugin from '../../lib/index'
import { get } from '../helpers/net'
import { distBuilt, ROOT, startExample, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'
import { startUpstream } from './helpers/upstream'

interface CurlRun { code: number, stderr: string, ms: number }

async function run (file: string, args: string[]): Promise<CurlRun> {
  const started = performance.now()
  return await new Promise(resolve => {
    execFile(file, args, { timeout: 15_000 }, (err, _stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stderr, ms: performance.now() - started })
    })
  })
}

const bins = requirePrograms(t, ['curl'])
if (bins !== undefined) {
  t.test('curl -f, the compose and Dockerfile healthcheck, follows /health', async t => {
    t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
    const compose = parse(await readFile(join(ROOT, 'examples/docker-compose.yml'), 'utf8'))
    const healthcheck = compose.services.app.healthcheck
    const dockerfile = await readDockerfile()
    t.same(healthcheck.test, ['CMD', ...dockerfile.healthcheck], 'compose and Dockerfile run the same command')
    t.same(healthcheck.test.slice(0, 3), ['CMD', 'curl', '-f'], 'exec form: curl -f (non-zero exit on HTTP errors)')
    t.equal(compose.services.app.environment.PORT, dockerfile.env.PORT, 'compose and Dockerfile agree on the port')
    t.same(compose.services.app.ports, [`${dockerfile.env.PORT}:${dockerfile.env.PORT}`])
    t.same(dockerfile.expose, [dockerfile.env.PORT])
    const url: string = healthcheck.test[3]
    t.equal(url, `http://localhost:${dockerfile.env.PORT}/health`, 'the command checks the liveness path on the app\'s port')
    t.same(dockerfile.cmd, ['node', '--import', 'tsx', 'examples/full.ts'], 'the image runs the full example (started the same way below)')
    // Compose's timeout must leave room for the plugin's 800 ms check timeout.
    t.ok(parseInt(healthcheck.timeout, 10) * 1000 > 800, `compose timeout ${healthcheck.timeout} > 800 ms`)

    const upstream = await startUpstream(t)
    // The image's environment, except the address: loopback and a port the system picks.
    const app = await startExample(t, 'examples/full.ts', { ...dockerfile.env, EXTERNAL_API_URL: upstream.url, SHUTDOWN_DELAY_MS: '0' })
    const curl = async (): Promise<CurlRun> => {
      const [command, ...args] = healthcheck.test.slice(1) as string[]
      t.equal(command, 'curl')
      return await run(bins.curl, args.map(arg => arg.replace(`localhost:${dockerfile.env.PORT}`, `127.0.0.1:${app.port}`)))
    }

    const healthy = await curl()
    t.equal(healthy.code, 0, 'healthy: curl exits 0')

    upstream.setMode('error')
    const failing = await curl()
    t.equal(failing.code, 22, 'a check fails (503): curl -f exits 22')
    t.match(failing.stderr, /503/)

    upstream.setMode('hang')
    const hanging = await curl()
    t.equal(hanging.code, 22, 'a check hangs: cut off at 800 ms, 503, curl exits 22')
    t.ok(hanging.ms < 3000, `curl finished in ${Math.round(hanging.ms)} ms, far inside the compose timeout (${healthcheck.timeout})`)

    upstream.setMode('ok')
    t.equal((await curl()).code, 0, 'recovered: curl exits 0 again')

    await stop(app.proc, 'SIGTERM')
    const gone = await curl()
    t.equal(gone.code, 7, 'no server: curl exits 7 (could not connect)')
  })

  t.test('curl -f fails when there is not enough free disk (MIN_FREE_BYTES above what the disk has)', async t => {
    const dockerfile = await readDockerfile()
    const app = await startExample(t, 'examples/full.ts', { ...dockerfile.env, MIN_FREE_BYTES: String(2 ** 60), SHUTDOWN_DELAY_MS: '0' })
    const args = dockerfile.healthcheck.slice(1).map(arg => arg.replace(`localhost:${dockerfile.env.PORT}`, `127.0.0.1:${app.port}`))
    const result = await run(bins.curl, args)
    t.equal(result.code, 22, 'disk_space fails: curl exits 22')
    const body = (await get(`${app.baseUrl}/health`)).json
    t.equal(body.checks.disk_space.status, 'fail', 'because of disk_space (a crossed threshold fails)')
    t.match(body.checks.disk_space.error, /^free .* < required .*/, 'which says how much is free and required')
    t.equal(body.checks.database.status, 'pass')
  })

  t.test('curl -f against a per-check path: exit 0 while that check passes, 22 when it fails', async t => {
    const app = Fastify()
    t.after(() => app.close())
    await app.register(healthPlugin)
    let dbUp = true
    app.addReadyCheck('primary db', () => dbUp)
    app.addReadyCheck('cache', () => false, { critical: false })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
    const curl = async (path: string): Promise<CurlRun> => await run(bins.curl, ['-f', '-sS', '-o', '/dev/null', `${base}${path}`])

    t.equal((await curl('/health/ready/primary%20db')).code, 0, 'passing check: curl exits 0')
    dbUp = false
    const failing = await curl('/health/ready/primary%20db')
    t.equal(failing.code, 22, 'failing check (503): curl -f exits 22')
    t.match(failing.stderr, /503/)
    t.equal((await curl('/health/ready/cache')).code, 22, 'a non-critical check answers by its own status')
    const unknown = await curl('/health/ready/nope')
    t.equal(unknown.code, 22, 'unknown check: 404, curl exits 22')
    t.match(unknown.stderr, /404/)
    dbUp = true
    t.equal((await curl('/health/ready/primary%20db')).code, 0, 'recovered')
  })
}
