import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred, hanging } from './helpers/async'
import { fakeClock } from './helpers/clock'

t.test('1,000 concurrent requests on a check still running invoke it once and get the same report', async t => {
  const { app } = await buildApp(t)
  const N = 1000
  let calls = 0
  let arrived = 0
  const allArrived = deferred<void>()
  // Counts requests as they reach the route; once the last one is in, one more turn lets its handler run.
  app.addHook('preHandler', (_request, _reply, done) => {
    if (++arrived === N) setImmediate(() => allArrived.resolve())
    done()
  })
  app.addHealthCheck('slow', async () => {
    calls++
    // Still running until every request has joined the run.
    await allArrived.promise
    return true
  })
  const responses = await Promise.all(Array.from({ length: N }, () => app.inject('/health')))
  t.equal(calls, 1, 'check invoked once')
  t.equal(arrived, N)
  t.ok(responses.every(r => r.statusCode === 200), 'all 200')
  const bodies = new Set(responses.map(r => r.body))
  t.equal(bodies.size, 1, 'every request got the very same report')
  t.equal(JSON.parse(responses[0].body).checks.slow.status, 'pass')

  // The run is over: the next request starts another.
  await app.inject('/health')
  t.equal(calls, 2, 'a request after the run finished starts a new run')
})

t.test('runHealthChecks() and runReadyChecks() share the run of the endpoint in progress', async t => {
  const { app } = await buildApp(t)
  const gate = deferred()
  const started = { health: deferred<void>(), ready: deferred<void>() }
  let healthCalls = 0
  let readyCalls = 0
  app.addHealthCheck('h', async () => { healthCalls++; started.health.resolve(); return await gate.promise })
  app.addReadyCheck('r', async () => { readyCalls++; started.ready.resolve(); return await gate.promise })
  const viaHttp = app.inject('/health')
  const viaHttpReady = app.inject('/health/ready')
  // inject dispatches asynchronously; wait until both runs have started.
  await Promise.all([started.health.promise, started.ready.promise])
  const direct = app.runHealthChecks()
  const directReady = app.runReadyChecks()
  gate.resolve(true)
  const [res, resReady, report, readyReport] = await Promise.all([viaHttp, viaHttpReady, direct, directReady])
  t.equal(healthCalls, 1)
  t.equal(readyCalls, 1)
  t.same(res.json(), report, 'same health report')
  t.same(resReady.json(), readyReport, 'same ready report')
})

t.test('health and ready runs are independent', async t => {
  const { app } = await buildApp(t)
  const healthGate = deferred()
  const readyGate = deferred()
  const calls = { health: 0, ready: 0 }
  // The same function in both sets: each set runs it in its own run.
  app.addHealthCheck('shared', async () => { calls.health++; return await healthGate.promise })
  app.addReadyCheck('shared', async () => { calls.ready++; return await readyGate.promise })
  const health = Array.from({ length: 20 }, () => app.inject('/health'))
  const ready = Array.from({ length: 20 }, () => app.inject('/health/ready'))
  // Health finishes while ready is still running: ready requests must not have been answered by the health run.
  healthGate.resolve(false)
  const healthResponses = await Promise.all(health)
  t.ok(healthResponses.every(r => r.statusCode === 503 && r.json().status === 'unhealthy'))
  readyGate.resolve(true)
  const readyResponses = await Promise.all(ready)
  t.ok(readyResponses.every(r => r.statusCode === 200 && r.json().status === 'ready'))
  t.same(calls, { health: 1, ready: 1 })
})

t.test('without asynchronous checks nothing is shared or cached: every request runs the checks', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('sync', () => { calls++; return true })
  const responses = await Promise.all(Array.from({ length: 10 }, () => app.inject('/health')))
  t.ok(responses.every(r => r.statusCode === 200))
  t.equal(calls, 10)
})

t.test('a failing run is shared too, and the next request runs again', async t => {
  const { app } = await buildApp(t, { timeout: 10 })
  const clock = fakeClock(t)
  const hang = hanging()
  app.addHealthCheck('hang', hang.check)
  const pending = Promise.all(Array.from({ length: 50 }, () => app.inject('/health')))
  await hang.started
  await clock.tickAsync(10)
  const responses = await pending
  t.equal(hang.calls(), 1)
  t.ok(responses.every(r => r.statusCode === 503 && r.json().checks.hang.error === 'timed out after 10 ms'))
  const next = app.inject('/health')
  await clock.tickAsync(10)
  await next
  t.equal(hang.calls(), 2)
})

t.test('a check registered while a run is in progress is not part of it and does not break it', async t => {
  const { app } = await buildApp(t)
  const gate = deferred()
  let firstCalls = 0
  let lateCalls = 0
  const reached = deferred<void>()
  app.addHook('preHandler', (_request, _reply, done) => { setImmediate(() => reached.resolve()); done() })
  app.addHealthCheck('first', () => { firstCalls++; return gate.promise })
  // The run starts here, synchronously; the HTTP request joins it once it reaches the route.
  const direct = app.runHealthChecks()
  const pending = app.inject('/health')
  await reached.promise
  app.addHealthCheck('added-later', () => { lateCalls++; return false })
  gate.resolve(true)
  const res = await pending
  t.equal(firstCalls, 1, 'one run, shared')
  t.equal(res.statusCode, 200, 'the run that was in progress ends normally')
  t.same(Object.keys(res.json().checks), ['first'], 'without the new check')
  t.same(Object.keys((await direct).checks ?? {}), ['first'])
  t.equal(lateCalls, 0)
  const next = await app.inject('/health')
  t.same(Object.keys(next.json().checks), ['first', 'added-later'], 'the next run includes it')
  t.equal(next.statusCode, 503)
  t.equal(lateCalls, 1)
})

t.test('a check that registers another check while running does not disturb the run', async t => {
  const { app } = await buildApp(t)
  let n = 0
  app.addHealthCheck('registrar', () => {
    app.addHealthCheck(`added-${++n}`, () => true)
    return true
  })
  const first = await app.inject('/health')
  t.same(Object.keys(first.json().checks), ['registrar'])
  const second = await app.inject('/health')
  t.same(Object.keys(second.json().checks), ['registrar', 'added-1'])
})
