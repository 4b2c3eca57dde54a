// The watchdog thread in this process, on loopback: the main thread's answers on the watchdog's port, shutdown, a
// port that cannot be bound, a worker that exits and is restarted (at most RESTARTS_PER_MINUTE times a minute), and
// the port freed when the app closes. The main thread here is never blocked: that is test/watchdog-block.test.ts.
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { Worker } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { FST_HEALTH_WATCHDOG_LISTEN } from '../lib/errors'
import healthPlugin from '../lib/index'
import type { HealthPluginOptions } from '../lib/types'
import { RESTARTS_PER_MINUTE } from '../lib/watchdog/watchdog'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import type { CapturedLogs } from './helpers/logs'
import { freePort, get, type HttpAnswer } from './helpers/net'
import { pollUntil } from './helpers/process'

const LOOPBACK = '127.0.0.1'

/** The port the watchdog logged it listens on. */
function watchdogPort (log: CapturedLogs, nth = 1): number | undefined {
  const lines = log.lines.filter(line => line.watchdog !== undefined)
  return lines[nth - 1]?.watchdog.port
}

async function watched (t: Test, options: HealthPluginOptions = {}, setUp: (app: FastifyInstance) => void = () => {}) {
  const built = await buildApp(t, { watchdog: { port: 0, host: LOOPBACK, stuckAfter: 60_000 }, ...options })
  const { app } = built
  app.addHealthCheck('db', () => true)
  app.addHealthCheck('cache', () => ({ status: 'warn', output: 'slow', observedValue: 12, observedUnit: 'ms' }), { critical: false })
  app.addReadyCheck('queue', () => false)
  app.addStartupCheck('warm', () => true)
  app.get('/other', async () => ({ other: true }))
  setUp(app)
  const workers: Worker[] = []
  const started = (worker: Worker): void => { workers.push(worker) }
  process.on('worker', started)
  t.teardown(() => { process.off('worker', started) })
  await app.listen({ port: 0, host: LOOPBACK })
  const port = watchdogPort(built.log) as number
  const main = `http://${LOOPBACK}:${(app.server.address() as { port: number }).port}`
  return { ...built, main, watchdog: `http://${LOOPBACK}:${port}`, port, workers }
}

/**
 * The watchdog's answer, asked again (up to 5 times) while it differs from the main port's: on a loaded machine a probe
 * may find this process's main thread more than 20 ms late, and is then answered as busy. An answer that is never the
 * main port's fails the test.
 */
async function sameAsMain (fromMain: HttpAnswer, ask: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
  let answer = await ask()
  for (let attempt = 1; attempt < 5 && answer.body !== fromMain.body; attempt++) answer = await ask()
  return answer
}

const refused = async (url: string): Promise<string> => await get(url).then(() => 'answered', (err: NodeJS.ErrnoException) => err.code as string)

t.test('normal answers are the main port\'s, byte for byte, on every probe route and format', async t => {
  const { watchdog, main, log } = await watched(t)
  t.match(log.lines.find(line => line.watchdog !== undefined), { level: 30, msg: `fastify-health: watchdog listening on ${LOOPBACK} port ${new URL(watchdog).port}` })
  // Frozen: both answers carry the same timestamps and durations.
  fakeClock(t)
  const requests: Array<[string, Record<string, string>, string?]> = [
    ['/health', {}],
    ['/health', {}, 'HEAD'],
    ['/health/ready', {}],
    ['/health/started', {}],
    ['/health/db', {}],
    ['/health/cache', {}],
    ['/health/ready/queue', {}],
    ['/health/started/warm', {}],
    ['/health/nope', {}],
    ['/health?verbose', {}],
    ['/health/ready?exclude=queue', {}],
    ['/health', { accept: 'application/health+json' }],
    ['/health/ready', { accept: 'application/health+json;q=0.9, application/json;q=0.5' }]
  ]
  for (const [path, headers, method] of requests) {
    const fromMain = await get(main + path, { headers, method })
    const fromWatchdog = await sameAsMain(fromMain, async () => await get(watchdog + path, { headers, method }))
    const what = `${method ?? 'GET'} ${path} ${JSON.stringify(headers)}`
    t.equal(fromWatchdog.status, fromMain.status, `${what}: status`)
    t.equal(fromWatchdog.body, fromMain.body, `${what}: body`)
    for (const header of ['content-type', 'cache-control', 'content-length']) t.equal(fromWatchdog.headers[header], fromMain.headers[header], `${what}: ${header}`)
  }
  t.equal((await get(main + '/other')).status, 200)
  t.equal((await get(watchdog + '/other')).status, 404, 'only the probe routes: the app\'s other routes are not served')
  t.equal((await get(watchdog + '/health', { method: 'POST' })).status, 404)
})

t.test('exposeDetails false: the main port\'s summaries and 404s', async t => {
  const { watchdog, main } = await watched(t, { exposeDetails: false })
  fakeClock(t)
  for (const path of ['/health', '/health/db', '/health/ready']) {
    const fromMain = await get(main + path)
    const fromWatchdog = await sameAsMain(fromMain, async () => await get(watchdog + path))
    t.same([fromWatchdog.status, fromWatchdog.body], [fromMain.status, fromMain.body], path)
  }
})

t.test('during the shutdown delay, watchdog readiness is not_ready with the shutdown entry; the port closes with the app', async t => {
  const { app, watchdog, main } = await watched(t)
  app.addReadyCheck('ok', () => true)
  const shutdown = app.health.shutdown({ delay: 60_000 })
  const [fromMain, fromWatchdog] = [await get(main + '/health/ready'), await get(watchdog + '/health/ready')]
  t.equal(fromWatchdog.status, 503)
  const timeless = (body: string): string => body.replace(/"timestamp":[0-9.]+/g, '"timestamp":0')
  t.equal(timeless(fromWatchdog.body), timeless(fromMain.body), 'the main port\'s answer')
  t.match(fromWatchdog.json, { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down' } } })
  t.equal((await get(watchdog + '/health')).status, 200, 'liveness keeps passing')
  await app.close()
  await shutdown
  t.equal(await refused(watchdog + '/health'), 'ECONNREFUSED', 'the port is closed with the app')
})

t.test('while the app closes, the main thread cannot answer (inject is refused): the watchdog answers for it', async t => {
  let during: HttpAnswer | undefined
  let watchdog = ''
  const { app, ...rest } = await watched(t, {}, app => { app.addHook('preClose', async () => { during = await get(watchdog + '/health/ready') }) })
  watchdog = rest.watchdog
  await app.close()
  t.equal(during?.status, 503)
  t.match(during?.json, { status: 'not_ready', checks: { main_thread: { status: 'fail', error: 'busy: the main thread could not answer' } } })
})

t.test('app.close() frees the port', async t => {
  const { app, port } = await watched(t)
  await app.close()
  const server = createServer()
  server.listen(port, LOOPBACK)
  await once(server, 'listening')
  t.equal((server.address() as { port: number }).port, port, 'another server can listen on it')
  server.close()
})

t.test('a port that cannot be bound makes ready() reject with FST_HEALTH_WATCHDOG_LISTEN naming it', async t => {
  const taken = createServer()
  taken.listen(0, LOOPBACK)
  await once(taken, 'listening')
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  for (const host of [LOOPBACK, undefined]) {
    const { app } = await buildApp(t, { watchdog: { port, host } })
    const err = await app.ready().then(() => null, (err: Error) => err)
    t.ok(err instanceof FST_HEALTH_WATCHDOG_LISTEN, `host ${String(host)}`)
    t.equal((err as NodeJS.ErrnoException).code, 'FST_HEALTH_WATCHDOG_LISTEN')
    t.match((err as Error).message, new RegExp(`^fastify-health: the watchdog cannot listen on ${host === undefined ? '' : `${host} `}port ${port}: listen EADDRINUSE`))
  }
  t.equal(healthPlugin.FST_HEALTH_WATCHDOG_LISTEN, FST_HEALTH_WATCHDOG_LISTEN, 'exported with the other error constructors')
})

t.test('a worker that exits before it listens makes ready() reject', async t => {
  const { app } = await buildApp(t, { watchdog: { port: await freePort(), host: LOOPBACK } })
  process.once('worker', (worker: Worker) => { worker.terminate() })
  const err = await app.ready().then(() => null, (err: Error) => err)
  t.match(err, { code: 'FST_HEALTH_WATCHDOG_LISTEN', message: /^fastify-health: the watchdog thread exited with code \d+ before it listened on 127\.0\.0\.1 port \d+$/ })
})

t.test('a worker that exits is logged and restarted, at most RESTARTS_PER_MINUTE times a minute, then left down', async t => {
  const { watchdog, log, workers } = await watched(t)
  const logged = (msg: string): number => log.lines.filter(line => line.msg === msg).length
  for (let restart = 1; restart <= RESTARTS_PER_MINUTE; restart++) {
    await workers[workers.length - 1].terminate()
    await pollUntil(`restart ${restart} listening`, async () => watchdogPort(log, restart + 1))
    t.equal(logged('fastify-health: the watchdog thread exited with code 1; restarting it'), restart, `exit ${restart} logged`)
    t.equal((await get(watchdog + '/health')).status, 200, `answering again after restart ${restart}, on the same port`)
  }
  t.equal(workers.length, RESTARTS_PER_MINUTE + 1)
  await workers[workers.length - 1].terminate()
  const down = `fastify-health: the watchdog thread exited with code 1, the ${RESTARTS_PER_MINUTE + 1}th time within a minute; it stays down`
  await pollUntil('the watchdog left down', async () => logged(down) === 1 ? true : undefined)
  t.equal(workers.length, RESTARTS_PER_MINUTE + 1, 'not restarted')
  t.equal(await refused(watchdog + '/health'), 'ECONNREFUSED')
})

t.test('a thread error is logged; a restart that fails is logged', async t => {
  const { log, workers } = await watched(t)
  workers[0].emit('error', new Error('boom'))
  t.match(log.lines.find(line => line.msg === 'fastify-health: the watchdog thread failed'), { level: 50, err: { message: 'boom' } })
  // The restarted worker is stopped before it listens.
  const next = once(process, 'worker')
  await workers[0].terminate()
  await ((await next)[0] as Worker).terminate()
  const line = await pollUntil('the failed restart logged', async () => log.lines.find(line => line.msg === 'fastify-health: the watchdog thread could not be restarted'))
  t.match(line, { level: 50, err: { message: /exited with code \d+ before it listened/ } })
})
