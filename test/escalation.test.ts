// escalateAfter: readiness failing because of its own checks for longer than escalateAfter makes liveness fail with a
// `readiness` entry (the orchestrator restarts an instance stuck out of service); it clears as soon as readiness
// passes. Shutting down, the app's own not-ready vote and starting up do not count. On a fake clock.
import t, { type Test } from 'tap'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp, isSecondsWithMs } from './helpers/app'
import { fakeClock } from './helpers/clock'

const AFTER = 10_000

async function setUp (t: Test): Promise<Awaited<ReturnType<typeof buildApp>> & { events: StatusChangeEvent[], clock: ReturnType<typeof fakeClock>, db: { ok: boolean } }> {
  const events: StatusChangeEvent[] = []
  const built = await buildApp(t, { escalateAfter: AFTER, onStatusChange: event => { events.push(event) } })
  const db = { ok: true }
  built.app.addReadyCheck('database', () => db.ok)
  built.app.addHealthCheck('loop', () => true)
  await built.app.ready()
  const clock = fakeClock(t)
  return { ...built, events, clock, db }
}

t.test('readiness failing for longer than escalateAfter fails liveness until readiness passes', async t => {
  const { app, events, clock, db, log } = await setUp(t)
  t.equal((await app.inject('/health')).statusCode, 200)
  db.ok = false
  t.equal((await app.inject('/health/ready')).statusCode, 503, 'readiness starts failing')
  const failedAt = Date.now() / 1000

  await clock.tickAsync(AFTER)
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  const atLimit = await app.inject('/health')
  t.equal(atLimit.statusCode, 200, 'not after exactly escalateAfter')
  t.same(Object.keys(atLimit.json().checks), ['loop'])

  await clock.tickAsync(2000)
  const live = await app.inject('/health')
  t.equal(live.statusCode, 503, 'liveness fails past escalateAfter')
  t.equal(live.json().status, 'unhealthy')
  t.same(Object.keys(live.json().checks), ['loop', 'readiness'])
  t.match(live.json().checks.loop, { status: 'pass' })
  const entry = live.json().checks.readiness
  t.same(entry, { status: 'fail', error: 'not ready for 12.0 s', timestamp: live.json().timestamp, duration: 0, since: entry.since })
  t.ok(Math.abs(entry.since - failedAt) < 0.002, 'since: when readiness began to fail')
  t.equal((await app.inject('/health/loop')).statusCode, 200, 'the per-check route answers for its check alone')
  t.match(await app.runHealthChecks(), { status: 'unhealthy', checks: { readiness: { status: 'fail' } } })

  db.ok = true
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'readiness passes')
  const back = await app.inject('/health')
  t.equal(back.statusCode, 200, 'liveness passes as soon as readiness did')
  t.same(Object.keys(back.json().checks), ['loop'])

  const escalations = events.filter(event => event.name === 'readiness')
  t.match(escalations, [
    { name: 'readiness', kind: 'health', previous: 'pass', status: 'fail', duration: 0, critical: true },
    { name: 'readiness', kind: 'health', previous: 'fail', status: 'pass' }
  ])
  t.equal(escalations.length, 2, 'one event each way, not one per probe')
  t.equal(log.lines.filter(line => line.healthCheck?.name === 'readiness').length, 2, 'logged once each way')
})

t.test('a readiness probe with ?exclude= neither starts nor ends the failing period', async t => {
  const { app, clock, db } = await setUp(t)
  db.ok = false
  t.equal((await app.inject('/health/ready?exclude=database')).statusCode, 200)
  await clock.tickAsync(AFTER + 1)
  t.equal((await app.inject('/health')).statusCode, 200, 'no full readiness run has failed')
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  await clock.tickAsync(AFTER + 1)
  t.equal((await app.inject('/health/ready?exclude=database')).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 503, 'a partial run that passes does not clear it')
})

t.test('the app\'s own not-ready vote does not escalate', async t => {
  const { app, clock } = await setUp(t)
  app.health.setReady(false, 'maintenance')
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  await clock.tickAsync(AFTER * 3)
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  t.equal((await app.inject('/health')).statusCode, 200)
})

t.test('shutting down does not escalate, even after readiness failed for long', async t => {
  const { app, clock, db } = await setUp(t)
  db.ok = false
  await app.inject('/health/ready')
  await clock.tickAsync(AFTER + 1)
  t.equal((await app.inject('/health')).statusCode, 503, 'escalated')
  const shutdown = app.health.shutdown({ delay: AFTER * 3 })
  await clock.tickAsync(AFTER)
  const live = await app.inject('/health')
  t.equal(live.statusCode, 200, 'liveness passes while shutting down')
  t.same(Object.keys(live.json().checks), ['loop'])
  await clock.tickAsync(AFTER * 2)
  await shutdown
})

t.test('starting up for long does not escalate', async t => {
  const built = await buildApp(t, { escalateAfter: AFTER })
  built.app.addStartupCheck('migrations', () => false)
  built.app.addReadyCheck('database', () => true)
  await built.app.ready()
  const clock = fakeClock(t)
  t.equal((await built.app.inject('/health/ready')).statusCode, 503, 'not ready: starting')
  await clock.tickAsync(AFTER * 3)
  t.equal((await built.app.inject('/health/ready')).statusCode, 503)
  t.equal((await built.app.inject('/health')).statusCode, 200)
})

t.test('the escalation entry gives the real time readiness has failed, and `since` in milliseconds', async t => {
  const built = await buildApp(t, { escalateAfter: 200 })
  const db = { ok: true }
  built.app.addReadyCheck('database', () => db.ok)
  await built.app.ready()
  const clock = fakeClock(t)
  db.ok = false
  t.equal((await built.app.inject('/health/ready')).statusCode, 503)
  const failedAt = Date.now() / 1000
  await clock.tickAsync(250.4567) // performance.now() is rarely a whole number of milliseconds
  const live = await built.app.inject('/health')
  t.equal(live.statusCode, 503)
  const entry = live.json().checks.readiness
  t.equal(entry.error, 'not ready for 0.3 s', 'not "0 s" after 250 ms')
  t.ok(isSecondsWithMs(entry.since), `since has millisecond precision (${entry.since as number})`)
  t.ok(Math.abs(entry.since - failedAt) <= 0.001, 'since: when readiness began to fail')
})
