// app.health.shutdown(): readiness not_ready with a `shutdown` entry at once, the app closes after the delay, the
// promise resolves once it has closed, and every call shares one sequence. On a fake clock.
import t, { type Test } from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { SIGNAL } from './helpers/shutdown-signal'

async function setUp (t: Test, options = {}): Promise<Awaited<ReturnType<typeof buildApp>> & { closed: () => boolean, readyRuns: () => number, clock: ReturnType<typeof fakeClock> }> {
  const built = await buildApp(t, options)
  let closed = false
  let readyRuns = 0
  built.app.addReadyCheck('database', () => { readyRuns++; return true })
  built.app.addHealthCheck('loop', () => true)
  built.app.get('/other', async () => ({ other: true }))
  built.app.addHook('onClose', (_app, done) => { closed = true; done() })
  await built.app.ready()
  const clock = fakeClock(t)
  return { ...built, closed: () => closed, readyRuns: () => readyRuns, clock }
}

t.test('without options: not_ready at once, the app serves for 5000 ms, then closes; the promise resolves once closed', async t => {
  const { app, log, closed, readyRuns, clock } = await setUp(t)
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  const runs = readyRuns()

  let resolved = false
  const shutdown = app.health.shutdown()
  shutdown.then(() => { resolved = true }, () => {})
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'not_ready', timestamp: ready.json().timestamp, checks: { shutdown: { status: 'fail', error: 'the server is shutting down', timestamp: ready.json().timestamp, duration: 0 } } })
  t.equal(readyRuns(), runs, 'the ready checks are not run any more')
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness unaffected')
  t.same((await app.inject('/other')).json(), { other: true }, 'other routes still served')
  const line = log.lines.find(line => line.msg === 'fastify-health: shutting down, readiness is now not_ready; closing in 5000 ms')
  t.equal(line?.delay, 5000, 'logged with the delay')
  t.equal(line?.level, 30)

  await clock.tickAsync(4999)
  t.equal(closed(), false, 'still open 1 ms before the delay ends')
  t.equal(resolved, false)
  await clock.tickAsync(1)
  await shutdown
  t.equal(closed(), true, 'closed when the promise resolves')
})

t.test('a second call returns the same promise, whatever its options', async t => {
  const { app, closed, clock } = await setUp(t)
  const first = app.health.shutdown({ delay: 100 })
  t.equal(app.health.shutdown(), first)
  t.equal(app.health.shutdown({ delay: 0 }), first, 'the first call\'s delay stands')
  await clock.tickAsync(99)
  t.equal(closed(), false)
  await clock.tickAsync(1)
  await first
  t.equal(closed(), true)
})

t.test('the delay defaults to gracefulShutdown\'s', async t => {
  const { app, closed, clock } = await setUp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 300 } })
  const shutdown = app.health.shutdown()
  await clock.tickAsync(299)
  t.equal(closed(), false)
  await clock.tickAsync(1)
  await shutdown
  t.equal(closed(), true)
})

t.test('{ delay: 0 } overrides gracefulShutdown\'s delay', async t => {
  const other = await setUp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 300 } })
  const zero = other.app.health.shutdown({ delay: 0 })
  await other.clock.tickAsync(0)
  await zero
  t.equal(other.closed(), true, 'delay 0 closes on the next timer turn')
})

t.test('a delay above the timer limit waits the longest a timer can', async t => {
  const { app, closed, clock } = await setUp(t)
  const shutdown = app.health.shutdown({ delay: 2 ** 40 })
  await clock.tickAsync(2 ** 31 - 2)
  t.equal(closed(), false)
  await clock.tickAsync(1)
  await shutdown
  t.equal(closed(), true)
})

t.test('a bad delay rejects with a clear error and starts nothing', async t => {
  const { app, closed } = await setUp(t)
  for (const delay of [-1, Number.NaN, '100', Infinity]) {
    await t.rejects(app.health.shutdown({ delay: delay as number }), {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: app\.health\.shutdown\(\) option "delay" must be a non-negative finite number of milliseconds, received /
    }, `delay ${String(delay)}`)
  }
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'not shutting down')
  t.equal(closed(), false)
})

t.test('closing the app during the delay ends the wait; the promise resolves once closed', async t => {
  const { app, closed } = await setUp(t)
  const shutdown = app.health.shutdown({ delay: 60_000 })
  await app.close()
  await shutdown // the clock never moved
  t.equal(closed(), true)
})

t.test('shutdown() on an app that has already closed resolves at once, without waiting for the delay', async t => {
  const { app, closed } = await setUp(t)
  await app.close()
  t.equal(closed(), true)
  await app.health.shutdown({ delay: 60_000 }) // the clock never moves: any wait would never end
  t.equal((await app.health.shutdown()), undefined, 'later calls share it')
})

t.test('shutdown() while the app is closing resolves once it has closed, without waiting for the delay', async t => {
  const { app } = await buildApp(t)
  const hookStarted = deferred<void>()
  const release = deferred<void>()
  let closed = false
  app.addHook('onClose', async () => {
    hookStarted.resolve()
    await release.promise
    closed = true
  })
  await app.ready()
  fakeClock(t)
  const closing = app.close()
  await hookStarted.promise
  const shutdown = app.health.shutdown({ delay: 60_000 }) // the clock never moves: any wait would never end
  release.resolve()
  await shutdown
  t.equal(closed, true, 'resolved after the close finished')
  await closing
})
