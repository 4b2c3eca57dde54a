import Fastify from 'fastify'
import t from 'tap'
import { buildApp } from './helpers/app'
import healthPlugin from '../lib/index'
import { fakeClock } from './helpers/clock'

t.test('runHealthChecks() / runReadyChecks() return the report the endpoints send, without HTTP', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('loop', () => true)
  app.addHealthCheck('disk', async () => false, { critical: false })
  app.addReadyCheck('db', async () => { throw new Error('ECONNREFUSED 127.0.0.1:5432') })

  const health = await app.runHealthChecks()
  t.match(health, {
    status: 'healthy',
    timestamp: Number,
    checks: { loop: { status: 'pass' }, disk: { status: 'fail', critical: false } }
  })
  const ready = await app.runReadyChecks()
  t.match(ready, { status: 'not_ready', checks: { db: { status: 'error', error: 'ECONNREFUSED 127.0.0.1:5432' } } })

  // Same shape as the HTTP body (the values differ only by timing).
  const strip = (report: any): unknown => JSON.parse(JSON.stringify(report, (key, value) => key === 'timestamp' || key === 'duration' ? 0 : value))
  t.same(strip(health), strip((await app.inject('/health')).json()))
  t.same(strip(ready), strip((await app.inject('/health/ready')).json()))
})

t.test('runStartupChecks() returns the startup report the endpoint sends, then the latched one', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  let runs = 0
  app.addStartupCheck('migrations', () => { runs++; return migrated })
  await app.ready()
  t.match(await app.runStartupChecks(), { status: 'starting', checks: { migrations: { status: 'fail' } } })
  t.equal((await app.inject('/health/started')).statusCode, 503)
  migrated = true
  const started = await app.runStartupChecks()
  t.match(started, { status: 'started', checks: { migrations: { status: 'pass' } } })
  const runsWhenStarted = runs
  const strip = (report: any): unknown => JSON.parse(JSON.stringify(report, (key, value) => key === 'timestamp' || key === 'duration' ? 0 : value))
  t.same(strip(await app.runStartupChecks()), strip(started), 'the latched answer')
  t.same(strip((await app.inject('/health/started')).json()), strip(started), 'the same body as the endpoint')
  t.equal(runs, runsWhenStarted, 'the startup checks do not run again once started')
})

t.test('works before listen (a startup gate) and with sync-only checks', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('config', () => true)
  await app.ready()
  const report = await app.runReadyChecks()
  t.equal(report.status, 'ready')
  t.equal(app.server.listening, false)
})

t.test('shares the run in progress with concurrent probes, and the cache', async t => {
  const { app } = await buildApp(t, { cacheTtl: 60000 })
  let calls = 0
  app.addReadyCheck('db', async () => { calls++; await new Promise(resolve => setImmediate(resolve)); return true })
  const [direct, viaHttp] = await Promise.all([app.runReadyChecks(), app.inject('/health/ready')])
  t.equal(calls, 1, 'one run for both callers')
  t.same(viaHttp.json(), JSON.parse(JSON.stringify(direct)))
  t.equal(await app.runReadyChecks(), direct, 'the cached report object itself')
  t.equal(calls, 1)
})

t.test('while shutting down, runReadyChecks() reports not_ready with the shutdown entry; runHealthChecks() still runs', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  let readyRuns = 0
  app.addReadyCheck('db', () => { readyRuns++; return true })
  app.addHealthCheck('loop', () => true)
  await app.ready()
  const clock = fakeClock(t)
  const shutdown = app.health.shutdown({ delay: 20 })
  const runsBefore = readyRuns
  t.match(await app.runReadyChecks(), { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down' } } })
  t.equal(readyRuns, runsBefore, 'the ready checks are not run')
  t.match(await app.runHealthChecks(), { status: 'healthy', checks: { loop: { status: 'pass' } } })
  await clock.tickAsync(20)
  await shutdown
  await t.rejects(app.inject('/health'), { code: 'FST_ERR_REOPENED_CLOSE_SERVER' }, 'closed once the 20 ms delay has passed')
})

t.test('the decorators are reachable from the registering instance and from child plugins', async t => {
  const { app } = await buildApp(t)
  let fromChild: unknown
  await app.register(async child => { fromChild = await child.runHealthChecks() })
  t.match(fromChild, { status: 'healthy', checks: {} })
})
