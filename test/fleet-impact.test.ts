import t from 'tap'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

// impact: 'fleet' marks a check of a dependency every instance shares: while it fails, liveness and readiness keep
// their status as if it were non-critical (its entry says so), routes that require it are gated, and after fleetGrace
// ms of failing it counts as critical again.

t.test('a failing fleet check keeps readiness 200, says "impact":"fleet" beside its status, and gates its routes', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addReadyCheck('payments', () => ok, { interval: 1000, impact: 'fleet' })
  app.addReadyCheck('disk', () => true, { interval: 1000 })
  app.get('/checkout', { config: { health: { requires: ['payments'] } } }, async () => 'ok')
  const clock = fakeClock(t)
  await app.ready()
  const passing = await app.inject('/health/ready')
  t.same(passing.json().checks.payments, { status: 'pass', timestamp: Date.now() / 1000, duration: 0, impact: 'fleet' }, 'passing: marked, no since')
  ok = false
  await clock.tickAsync(1000)
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 200, 'readiness stays 200')
  t.equal(res.json().status, 'ready')
  t.same(res.json().checks.payments, { status: 'fail', timestamp: Date.now() / 1000, since: Date.now() / 1000, duration: 0, impact: 'fleet' }, 'its real status, marked')
  t.equal((await app.inject('/checkout')).statusCode, 503, 'the route that needs it is gated')
  t.equal((await app.inject('/health/ready/payments')).statusCode, 503, 'its own route answers by its own status')
  await clock.tickAsync(60_000)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'without fleetGrace: 200 however long it fails')
})

t.test('the same check without impact fails readiness', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('payments', () => false, { interval: 1000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.notOk('impact' in res.json().checks.payments, 'no impact key on an instance check')
})

t.test('fleetGrace: after failing that long, a fleet check counts as critical again', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addReadyCheck('payments', () => ok, { interval: 1000, impact: 'fleet', fleetGrace: 5000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(1000)
  ok = false
  await clock.tickAsync(1000)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'failing for 0 s')
  await clock.tickAsync(5000)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'failing for exactly fleetGrace: still 200')
  await clock.tickAsync(1)
  const late = await app.inject('/health/ready')
  t.equal(late.statusCode, 503, 'past fleetGrace: 503')
  t.equal(late.json().checks.payments.impact, 'fleet', 'still marked')
  ok = true
  await clock.tickAsync(1000)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'passing again')
  ok = false
  await clock.tickAsync(1000)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'a new failure starts a new grace')
})

t.test('liveness too; on-demand fleet checks; a non-critical fleet check never counts', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('shared_api', () => false, { impact: 'fleet' })
  app.addHealthCheck('optional', () => false, { impact: 'fleet', fleetGrace: 1, critical: false })
  const clock = fakeClock(t)
  await app.ready()
  const first = await app.inject('/health')
  t.equal(first.statusCode, 200, 'liveness keeps passing')
  t.same(first.json().checks.shared_api, { status: 'fail', timestamp: Date.now() / 1000, since: Date.now() / 1000, duration: 0, impact: 'fleet' })
  t.same(first.json().checks.optional, { status: 'fail', timestamp: Date.now() / 1000, since: Date.now() / 1000, duration: 0, critical: false, impact: 'fleet' })
  await clock.tickAsync(10_000)
  t.equal((await app.inject('/health')).statusCode, 200, 'the non-critical one never counts, past its grace too')
})

t.test('a stale fleet entry is marked too', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('payments', () => true, { interval: 20, timeout: 10, impact: 'fleet' })
  await app.ready()
  await app.inject('/health/ready')
  // Real time is the subject: a blocked event loop keeps the scheduler from producing results (staleAfter 50 ms).
  const end = performance.now() + 250
  while (performance.now() < end) { /* busy */ }
  const entry = (await app.inject('/health/ready')).json().checks.payments
  t.match(entry, { status: 'error', error: /^stale/, impact: 'fleet' })
})

t.test('impact and fleetGrace are validated', async t => {
  const { app } = await buildApp(t)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ impact: 'global' }, 'fastify-health: addReadyCheck("x") option "impact" must be "instance" or "fleet", received "global"'],
    [{ impact: true }, 'fastify-health: addReadyCheck("x") option "impact" must be "instance" or "fleet", received boolean true'],
    [{ fleetGrace: 1000 }, 'fastify-health: addReadyCheck("x") option "fleetGrace" must be set only together with impact: "fleet", received number 1000'],
    [{ impact: 'instance', fleetGrace: 1000 }, 'fastify-health: addReadyCheck("x") option "fleetGrace" must be set only together with impact: "fleet", received number 1000'],
    [{ impact: 'fleet', fleetGrace: -1 }, 'fastify-health: addReadyCheck("x") option "fleetGrace" must be a positive finite number of milliseconds, received number -1'],
    [{ impct: 'fleet' }, 'fastify-health: addReadyCheck("x") options has an unknown key "impct" (did you mean "impact"?)']
  ]
  for (const [options, message] of cases) {
    t.throws(() => app.addReadyCheck('x', () => true, options), { code: 'FST_HEALTH_INVALID_OPTION', message: message.endsWith('?)') ? new RegExp(message.replace(/[()?]/g, '\\$&')) : message })
  }
  app.addReadyCheck('ok', () => true, { impact: 'instance' })
  t.equal((await app.inject('/health/ready')).body.includes('impact'), false, 'impact: "instance" is the default answer')
})

t.test('the same function with different impacts in two probes is two checks', async t => {
  const { app } = await buildApp(t)
  const fn = (): boolean => false
  app.addHealthCheck('api', fn, { impact: 'fleet' })
  app.addReadyCheck('api', fn)
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness: the fleet one')
  t.equal((await app.inject('/health/ready')).statusCode, 503, 'readiness: the instance one')
})
