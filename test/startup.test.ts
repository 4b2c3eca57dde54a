// The startup latch: startup checks run until they all pass in one run, then the startup route answers 200 for the
// life of the process without running them again; readiness is not_ready (with a `startup` entry) until then, and
// readiness probes drive startup runs themselves. Liveness is not affected.
import t from 'tap'
import healthPlugin from '../lib/index'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred, settled, watchProcess } from './helpers/async'
import { fakeClock } from './helpers/clock'

const tracked = (promise: Promise<void>): { done: () => boolean } => {
  let done = false
  promise.then(() => { done = true }, () => {})
  return { done: () => done }
}
const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

t.test('without startup checks: started once the app is ready', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('database', () => true)
  const started = tracked(app.health.whenStarted())
  await turn()
  t.equal(started.done(), false, 'not started before the app is ready')
  await app.ready()
  await app.health.whenStarted()
  const res = await app.inject('/health/started')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'started', timestamp: res.json().timestamp, checks: {} })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.same(Object.keys(ready.json().checks), ['database'], 'no startup entry')
})

t.test('startup checks: starting until all pass in one run, then started for good without running them again', async t => {
  const events: StatusChangeEvent[] = []
  const { app, log } = await buildApp(t, { onStatusChange: event => { events.push(event) } })
  let migrated = false
  let migrationRuns = 0
  let cacheRuns = 0
  app.addStartupCheck('migrations', () => { migrationRuns++; return migrated })
  app.addStartupCheck('cache-warm', () => { cacheRuns++; return true })
  app.addReadyCheck('database', () => true)
  app.addHealthCheck('loop', () => true)
  const started = tracked(app.health.whenStarted())
  await app.ready()
  t.equal(migrationRuns, 1, 'the app getting ready runs the startup checks once')

  const starting = await app.inject('/health/started')
  t.equal(starting.statusCode, 503)
  const body = starting.json()
  t.same(Object.keys(body), ['status', 'timestamp', 'checks'])
  t.equal(body.status, 'starting')
  t.match(body.checks, { migrations: { status: 'fail' }, 'cache-warm': { status: 'pass' } })
  t.equal(migrationRuns, 2, 'each startup probe runs them while not started')

  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503, 'readiness is not_ready while starting')
  t.equal(ready.json().status, 'not_ready')
  t.match(ready.json().checks, { database: { status: 'pass' }, startup: { status: 'fail', error: 'starting', duration: 0 } })
  t.same(Object.keys(ready.json().checks), ['database', 'startup'], 'its own checks, then the startup entry')
  const live = await app.inject('/health')
  t.equal(live.statusCode, 200, 'liveness is not affected')
  t.same(Object.keys(live.json().checks), ['loop'])
  t.equal(started.done(), false)

  migrated = true
  const now = await app.inject('/health/started')
  t.equal(now.statusCode, 200)
  t.equal(now.json().status, 'started')
  t.match(now.json().checks, { migrations: { status: 'pass' }, 'cache-warm': { status: 'pass' } }, 'the run that closed the latch')
  await turn()
  t.equal(started.done(), true, 'whenStarted() resolves when the latch closes')
  const runs = [migrationRuns, cacheRuns]

  migrated = false
  for (let i = 0; i < 3; i++) {
    const again = await app.inject('/health/started')
    t.equal(again.statusCode, 200, 'still started')
    t.same(again.json().checks, now.json().checks, 'the checks of the run that closed the latch')
  }
  t.equal((await app.inject({ method: 'HEAD', url: '/health/started' })).statusCode, 200)
  const readyNow = await app.inject('/health/ready')
  t.equal(readyNow.statusCode, 200, 'readiness passes once started')
  t.same(Object.keys(readyNow.json().checks), ['database'])
  t.same([migrationRuns, cacheRuns], runs, 'the startup checks are not run again once started')
  await app.health.whenStarted() // resolves at once, later too

  const startupEvents = events.filter(event => event.name === 'startup')
  t.equal(startupEvents.length, 1, 'one startup event')
  t.match(startupEvents[0], { name: 'startup', kind: 'startup', previous: 'fail', status: 'pass', critical: true })
  t.equal(log.lines.filter(line => line.msg === 'fastify-health: startup check "startup" passes again').length, 1, 'logged once')
})

t.test('readiness probes drive the startup runs: the latch closes with no startup probe at all', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  let runs = 0
  app.addStartupCheck('migrations', () => { runs++; return migrated })
  app.addReadyCheck('database', () => true)
  await app.ready()
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  t.equal(runs, 2, 'the readiness probe ran the startup checks')
  migrated = true
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200, 'the probe that saw them pass answers ready')
  t.same(Object.keys(ready.json().checks), ['database'])
  await app.health.whenStarted()
  t.equal(runs, 3)
  await app.inject('/health/ready')
  t.equal(runs, 3, 'not run again once started')
  t.equal((await app.inject('/health/started')).statusCode, 200)
})

t.test('async startup checks: readiness says starting while the run is in flight; either caller may close the latch', async t => {
  const { app } = await buildApp(t)
  let pending = deferred()
  let runs = 0
  app.addStartupCheck('migrations', async () => { runs++; return await pending.promise })
  app.addReadyCheck('database', () => true)
  await app.ready()
  pending.resolve(false)
  await turn()

  // A readiness probe first, then a startup probe: they share one run.
  pending = deferred()
  const ready = app.inject('/health/ready')
  await turn()
  const startup = app.inject('/health/started')
  await turn()
  pending.resolve(true)
  const [readyRes, startupRes] = await Promise.all([ready, startup])
  t.equal(runs, 2, 'one shared run')
  t.equal(readyRes.statusCode, 503, 'the readiness answer was decided while starting')
  t.match(readyRes.json().checks, { startup: { error: 'starting' } })
  t.equal(startupRes.statusCode, 200)
  t.equal(startupRes.json().status, 'started')
  await app.health.whenStarted()
  t.equal((await app.inject('/health/ready')).statusCode, 200)
})

t.test('a startup probe first, a readiness probe sharing its run: started once', async t => {
  const events: StatusChangeEvent[] = []
  const { app } = await buildApp(t, { onStatusChange: event => { events.push(event) } })
  let pending = deferred()
  app.addStartupCheck('migrations', async () => await pending.promise)
  await app.ready()
  pending.resolve(false)
  await turn()
  pending = deferred()
  const startup = app.inject('/health/started')
  await turn()
  const ready = app.inject('/health/ready')
  await turn()
  pending.resolve(true)
  t.equal((await startup).statusCode, 200)
  await ready
  await app.health.whenStarted()
  t.equal(events.filter(event => event.name === 'startup').length, 1, 'the latch closes once')
})

t.test('a startup run with ?exclude= does not close the latch', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  app.addStartupCheck('migrations', () => migrated)
  app.addStartupCheck('cache-warm', () => true)
  await app.ready()
  const partial = await app.inject('/health/started?exclude=migrations')
  t.equal(partial.statusCode, 200, 'the selection passes')
  t.same(Object.keys(partial.json().checks), ['cache-warm'])
  const all = await app.inject('/health/started')
  t.equal(all.statusCode, 503, 'but the app has not started')
  t.match(all.json().checks, { migrations: { status: 'fail' } })
  migrated = true
  t.equal((await app.inject('/health/started')).statusCode, 200)
})

t.test('the per-check startup route answers for its check alone', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  app.addStartupCheck('migrations', () => migrated)
  app.addStartupCheck('cache-warm', () => true)
  await app.ready()
  t.equal((await app.inject('/health/started/cache-warm')).statusCode, 200)
  t.equal((await app.inject('/health/started/migrations')).statusCode, 503)
  migrated = true
  t.equal((await app.inject('/health/started/migrations')).statusCode, 200)
  t.equal((await app.inject('/health/started')).statusCode, 200)
})

t.test('background startup checks stop running once the latch has closed', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  let runs = 0
  app.addStartupCheck('migrations', () => { runs++; return migrated }, { interval: 1000 })
  // Before ready: the background schedule starts when the app is ready.
  const clock = fakeClock(t)
  await app.ready()
  t.equal((await app.inject('/health/started')).statusCode, 503)
  migrated = true
  await clock.tickAsync(1000)
  t.equal((await app.inject('/health/started')).statusCode, 200, 'the interval run passed, the probe reads it and closes the latch')
  await app.health.whenStarted()
  const after = runs
  await clock.tickAsync(10_000)
  t.equal(runs, after, 'not run again on their interval')
})

t.test('startupPath moves the route', async t => {
  const { app } = await buildApp(t, { startupPath: '/startz' })
  await app.ready()
  t.equal((await app.inject('/startz')).statusCode, 200)
  t.equal((await app.inject('/health/started')).statusCode, 404)
})

t.test('started before the app is ready (runReadyChecks() drives a startup run): background startup checks never start', async t => {
  const { app } = await buildApp(t)
  let runs = 0
  app.addStartupCheck('migrations', () => { runs++; return true }, { interval: 1000 })
  app.addReadyCheck('database', () => true)
  const clock = fakeClock(t)
  t.match(await app.runReadyChecks(), { status: 'ready' }, 'the startup run it drove passed at once')
  await app.health.whenStarted()
  t.equal(runs, 1)
  await app.ready()
  await clock.tickAsync(10_000)
  t.equal(runs, 1, 'not scheduled when the app got ready')
  t.equal((await app.inject('/health/started')).statusCode, 200)
})

t.test('background startup checks close the latch on their interval, with no probe at all', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  let runs = 0
  app.addStartupCheck('migrations', () => { runs++; return migrated }, { interval: 1000 })
  app.addStartupCheck('schema', async () => true, { interval: 500 })
  const clock = fakeClock(t)
  await app.ready()
  const started = tracked(app.health.whenStarted())
  await clock.tickAsync(1000)
  t.equal(started.done(), false, 'not while a check fails')
  migrated = true
  await clock.tickAsync(1000)
  await turn()
  t.equal(started.done(), true, 'the run on the interval that passed closed the latch')
  const after = runs
  await clock.tickAsync(5000)
  t.equal(runs, after)
  t.equal((await app.inject('/health/started')).statusCode, 200)
})

t.test('the startup route in the verbose and application/health+json formats, before and after the latch', async t => {
  const { app } = await buildApp(t)
  let migrated = false
  app.addStartupCheck('migrations', () => migrated)
  await app.ready()
  const verbose = await app.inject('/health/started?verbose')
  t.equal(verbose.statusCode, 503)
  t.equal(verbose.body, '[-]migrations failed: fail\nstartup check failed\n')
  const ietf = await app.inject({ url: '/health/started', headers: { accept: 'application/health+json' } })
  t.equal(ietf.statusCode, 503)
  t.match(ietf.json(), { status: 'fail', checks: { migrations: [{ status: 'fail' }] } })
  migrated = true
  t.equal((await app.inject('/health/started')).statusCode, 200)
  const after = await app.inject('/health/started?verbose')
  t.equal(after.statusCode, 200)
  t.equal(after.body, '[+]migrations ok\nstartup check passed\n', 'the run that closed the latch')
  const ietfAfter = await app.inject({ url: '/health/started', headers: { accept: 'application/health+json' } })
  t.equal(ietfAfter.statusCode, 200)
  t.match(ietfAfter.json(), { status: 'pass', checks: { migrations: [{ status: 'pass' }] } })
})

t.test('a background startup run cancelled by closing the app does not run the other startup checks again', async t => {
  const { app } = await buildApp(t)
  let syncRuns = 0
  let onDemandRuns = 0
  // The first run fails at once; the next one hangs until closing cancels it.
  app.addStartupCheck('replica-sync', async () => syncRuns++ === 0 ? false : await new Promise<boolean>(() => {}), { interval: 1000, timeout: 60_000 })
  app.addStartupCheck('config', () => { onDemandRuns++; return true })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(1000)
  t.equal(syncRuns, 2, 'the second background run is in flight')
  const runs = onDemandRuns
  await app.close()
  await turn()
  t.equal(onDemandRuns, runs, 'nothing ran after close')
})

t.test('whenStarted() rejects with FST_HEALTH_CLOSED_BEFORE_STARTED when the app closes before start-up finished', async t => {
  const { app } = await buildApp(t)
  app.addStartupCheck('migrations', () => false)
  const waiting = app.health.whenStarted()
  await app.ready()
  t.equal((await app.inject('/health/started')).statusCode, 503, 'not started')
  await app.close()
  const err = await waiting.then(() => undefined, (error: unknown) => error)
  t.ok(err instanceof healthPlugin.FST_HEALTH_CLOSED_BEFORE_STARTED, 'instanceof the exported constructor')
  t.match(err, { code: 'FST_HEALTH_CLOSED_BEFORE_STARTED', message: 'fastify-health: the app closed before start-up finished' })
  await t.rejects(app.health.whenStarted(), { code: 'FST_HEALTH_CLOSED_BEFORE_STARTED' }, 'and when asked after the close')
})

t.test('whenStarted(): closed before it was ever ready, or after it started', async t => {
  const never = await buildApp(t)
  await never.app.close()
  await t.rejects(never.app.health.whenStarted(), { code: 'FST_HEALTH_CLOSED_BEFORE_STARTED' }, 'no startup checks, never ready')
  const started = await buildApp(t)
  await started.app.ready()
  await started.app.close()
  await t.resolves(started.app.health.whenStarted(), 'started before the close: stays resolved')
})

t.test('an app that closes before it started, with nobody waiting on whenStarted(): no unhandled rejection', async t => {
  const seen = watchProcess(t)
  const { app } = await buildApp(t)
  app.addStartupCheck('migrations', () => false)
  await app.ready()
  await app.close()
  await settled(Promise.resolve())
  t.same(seen.rejections, [])
})
