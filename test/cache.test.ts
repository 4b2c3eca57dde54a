import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { buildApp, isSecondsWithMs } from './helpers/app'
import { fakeClock } from './helpers/clock'

t.test('cacheTtl defaults to 0: every request runs the checks', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('async', async () => { calls++; return true })
  await app.inject('/health')
  await app.inject('/health')
  await app.runHealthChecks()
  t.equal(calls, 3)
})

t.test('a finished run answers later requests for cacheTtl ms; the timestamps show when it was produced', async t => {
  const ttl = 250
  const { app } = await buildApp(t, { cacheTtl: ttl })
  const clock = fakeClock(t)
  let calls = 0
  app.addHealthCheck('async', async () => { calls++; return true })
  app.addHealthCheck('sync', () => { calls++; return true })
  const first = await app.inject('/health')
  const second = await app.inject('/health')
  const direct = await app.runHealthChecks()
  t.equal(calls, 2, 'both checks ran once')
  t.equal(second.body, first.body, 'the cached answer is the same report, timestamps included')
  t.same(direct, first.json(), 'runHealthChecks() answers from the cache too')
  const report = first.json()
  t.ok(isSecondsWithMs(report.timestamp), 'report timestamp: float seconds, ms precision')
  for (const entry of Object.values(report.checks) as Array<{ timestamp: number }>) {
    t.ok(isSecondsWithMs(entry.timestamp), 'entry timestamp: float seconds, ms precision')
    t.ok(entry.timestamp <= report.timestamp)
  }
  await clock.tickAsync(ttl - 1)
  t.equal((await app.inject('/health')).body, first.body, '1 ms before the TTL ends: still the cached report')
  t.equal(calls, 2)
  await clock.tickAsync(1)
  const third = await app.inject('/health')
  t.equal(calls, 4, 'once the TTL has passed the checks run again')
  t.ok(third.json().timestamp > report.timestamp, 'and the new report has a later timestamp')
})

t.test('failures and errors are cached too', async t => {
  const ttl = 250
  const { app } = await buildApp(t, { cacheTtl: ttl, timeout: 10 })
  const clock = fakeClock(t)
  let healthy = false
  let calls = 0
  app.addHealthCheck('flaky', () => { calls++; return healthy })
  app.addReadyCheck('hang', () => { calls++; return new Promise<boolean>(() => {}) })
  const first = await app.inject('/health')
  t.equal(first.statusCode, 503)
  healthy = true
  // The hanging ready check times out on the clock; its report is then cached from that moment.
  const readyFirstPending = app.inject('/health/ready')
  await clock.tickAsync(10)
  const cached = await app.inject('/health')
  t.equal(cached.statusCode, 503, 'a cached failure is still a failure')
  t.equal(cached.body, first.body)
  const readyFirst = await readyFirstPending
  const readyCached = await app.inject('/health/ready')
  t.equal(readyFirst.json().checks.hang.error, 'timed out after 10 ms')
  t.equal(readyCached.body, readyFirst.body, 'a cached timeout')
  t.equal(calls, 2)
  await clock.tickAsync(ttl)
  const fresh = await app.inject('/health')
  t.equal(fresh.statusCode, 200, 'after the TTL the new outcome shows')
  t.equal(calls, 3)
})

t.test('health and ready have separate caches', async t => {
  const { app } = await buildApp(t, { cacheTtl: 60_000 })
  const calls = { health: 0, ready: 0 }
  app.addHealthCheck('h', () => { calls.health++; return true })
  app.addReadyCheck('r', () => { calls.ready++; return false })
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject('/health')).statusCode, 200)
    t.equal((await app.inject('/health/ready')).statusCode, 503)
  }
  t.same(calls, { health: 1, ready: 1 })
})

t.test('requests during a run share it, then the cache answers', async t => {
  const { app } = await buildApp(t, { cacheTtl: 60_000 })
  let calls = 0
  app.addHealthCheck('async', async () => { calls++; await new Promise(resolve => setImmediate(resolve)); return true })
  const concurrent = await Promise.all(Array.from({ length: 20 }, () => app.inject('/health')))
  const later = await app.inject('/health')
  t.equal(calls, 1)
  t.ok(concurrent.every(r => r.body === later.body))
})

t.test('a check registered while a result is cached shows up once the cache expires', async t => {
  const ttl = 250
  const { app } = await buildApp(t, { cacheTtl: ttl })
  const clock = fakeClock(t)
  app.addHealthCheck('a', () => true)
  await app.inject('/health')
  app.addHealthCheck('b', () => false)
  t.same(Object.keys((await app.inject('/health')).json().checks), ['a'], 'cached report, registered before b')
  await clock.tickAsync(ttl)
  const res = await app.inject('/health')
  t.same(Object.keys(res.json().checks), ['a', 'b'])
  t.equal(res.statusCode, 503)
})

t.test('invalid cacheTtl values are rejected', async t => {
  for (const cacheTtl of [-1, NaN, Infinity, '10', null]) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(healthPlugin, { cacheTtl } as never) }, {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: option "cacheTtl" must be a non-negative finite number of milliseconds/
    }, String(cacheTtl))
    await app.close()
  }
})
