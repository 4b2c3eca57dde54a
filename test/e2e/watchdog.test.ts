// examples/kubernetes/watchdog.yaml and examples/watchdog.ts: the manifest probes the watchdog's port, and a
// kubelet-like client (curl --max-time 1, the kubelet's default timeoutSeconds) gets its verdict in time from a busy
// process (liveness passes, so no restart; the main port's probe times out) and from a stuck one (liveness fails,
// 503), and passes again once the main thread is back.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseAllDocuments } from 'yaml'
import { distBuilt, freePort, ROOT, startExample } from '../helpers/process'
import { requirePrograms } from './helpers/programs'

interface CurlRun { code: number, stdout: string, ms: number }

async function curl (bin: string, url: string): Promise<CurlRun> {
  const started = performance.now()
  return await new Promise(resolve => {
    execFile(bin, ['-sS', '-f', '--max-time', '1', url], { timeout: 15_000 }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, ms: performance.now() - started })
    })
  })
}

/** Calls `fn` until `accept` takes its result (a kubelet probing again and again), for at most `limit` ms. */
async function until<T> (what: string, fn: () => Promise<T>, accept: (value: T) => boolean, limit = 10_000): Promise<T> {
  const deadline = Date.now() + limit
  for (;;) {
    const value = await fn()
    if (accept(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

async function manifest (): Promise<{ container: any, env: Record<string, string> }> {
  const docs = parseAllDocuments(await readFile(join(ROOT, 'examples/kubernetes/watchdog.yaml'), 'utf8'))
  const deployment = docs.map(doc => doc.toJS()).find(o => o.kind === 'Deployment')
  const [container] = deployment.spec.template.spec.containers
  return { container, env: Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value])) }
}

const bins = requirePrograms(t, ['curl'])
if (bins !== undefined) {
  const start = async (t: Test, env: Record<string, string>) => {
    const watchdogPort = await freePort()
    const app = await startExample(t, 'examples/watchdog.ts', { ...env, HOST: '127.0.0.1', PORT: '0', WATCHDOG_PORT: String(watchdogPort) })
    return { ...app, watchdog: `http://127.0.0.1:${watchdogPort}` }
  }

  t.test('the manifest probes the watchdog\'s port, which the example serves', async t => {
    t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
    const { container, env } = await manifest()
    const ports = Object.fromEntries(container.ports.map((p: { name: string, containerPort: number }) => [p.name, p.containerPort]))
    t.equal(ports.watchdog, Number(env.WATCHDOG_PORT), 'the watchdog port is the one the app is told')
    t.equal(ports.http, Number(env.PORT))
    t.not(env.HOST, '127.0.0.1', 'not loopback: the kubelet probes the pod\'s IP')
    for (const name of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      t.equal(container[name].httpGet.port, 'watchdog', `${name} on the watchdog port`)
      t.equal(container[name].timeoutSeconds, 1, `${name}: timeoutSeconds 1, as curl --max-time 1 below`)
    }
    t.same([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path, container.startupProbe.httpGet.path], ['/health', '/health/ready', '/health/started'])
    t.same(container.command, ['node', '--import', 'tsx', 'examples/watchdog.ts'])

    const app = await start(t, env)
    for (const path of ['/health', '/health/ready', '/health/started']) {
      const run = await curl(bins.curl, app.watchdog + path)
      t.equal(run.code, 0, `${path}: 200 on the watchdog port`)
    }
    t.same(Object.keys(JSON.parse((await curl(bins.curl, app.watchdog + '/health')).stdout).checks), ['cache'], 'the main thread\'s answer')
  })

  t.test('busy: liveness passes on the watchdog within 1 s while the main port\'s probe times out; readiness fails', async t => {
    const { env } = await manifest()
    const app = await start(t, env)
    // The kubelet has probed before: the watchdog keeps the main thread's last liveness report.
    await until('the main thread\'s answer', async () => await curl(bins.curl, app.watchdog + '/health'), run => run.code === 0 && !run.stdout.includes('main_thread'))
    // 5 s of synchronous work, under the manifest's STUCK_AFTER_MS (10 s): busy, not stuck.
    const working = curl(bins.curl, app.baseUrl + '/work?ms=5000')
    const busy = await until('a busy answer', async () => await curl(bins.curl, app.watchdog + '/health'), run => run.code === 0 && run.stdout.includes('main_thread'))
    t.ok(busy.ms < 1000, `answered in ${Math.round(busy.ms)} ms`)
    t.match(JSON.parse(busy.stdout), { status: 'healthy', checks: { cache: { status: 'pass' }, main_thread: { status: 'warn', output: /^busy: / } } })
    t.equal((await curl(bins.curl, app.baseUrl + '/health')).code, 28, 'the main port: curl times out (exit 28), a failed probe')
    const ready = await curl(bins.curl, app.watchdog + '/health/ready')
    t.equal(ready.code, 22, 'readiness on the watchdog: 503 within 1 s (curl -f exits 22)')
    t.equal((await working).code, 28, 'the work itself outlasted curl\'s 1 s')
  })

  t.test('stuck: liveness fails on the watchdog within 1 s, and passes again once the main thread is back', async t => {
    const { env } = await manifest()
    const app = await start(t, { ...env, STUCK_AFTER_MS: '1000' })
    const working = curl(bins.curl, app.baseUrl + '/work?ms=4000')
    const stuck = await until('a 503', async () => await curl(bins.curl, app.watchdog + '/health'), run => run.code !== 0)
    t.equal(stuck.code, 22, 'curl -f exits 22: an HTTP error (503), not a timeout')
    t.ok(stuck.ms < 1000, `answered in ${Math.round(stuck.ms)} ms`)
    const back = await until('liveness passing again', async () => await curl(bins.curl, app.watchdog + '/health'), run => run.code === 0 && !run.stdout.includes('main_thread'))
    t.same(Object.keys(JSON.parse(back.stdout).checks), ['cache'])
    await working
  })
}
