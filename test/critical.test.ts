import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { HealthReportSchema, ReadyReportSchema } from '../lib/formats/schema'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { hanging } from './helpers/async'
import { fakeClock } from './helpers/clock'

t.test('non-critical checks that fail or error are reported but keep the status healthy/ready and 200', async t => {
  const events: StatusChangeEvent[] = []
  const { app } = await buildApp(t, { timeout: 10, onStatusChange: (e) => { events.push(e) } })
  const clock = fakeClock(t)
  const hang = hanging()
  app.addHealthCheck('db', () => true)
  app.addHealthCheck('cache-fail', () => false, { critical: false })
  app.addHealthCheck('cache-throw', () => { throw new Error('redis down') }, { critical: false })
  app.addHealthCheck('cache-reject', async () => { throw new Error('rejected') }, { critical: false })
  app.addHealthCheck('cache-timeout', hang.check, { critical: false })
  app.addHealthCheck('cache-non-boolean', () => 'ok' as never, { critical: false })
  app.addHealthCheck('explicitly-critical', async () => true, { critical: true })
  app.addHealthCheck('non-critical-pass', () => true, { critical: false })
  const pending = app.inject('/health')
  await hang.started
  await clock.tickAsync(10)
  const res = await pending
  t.equal(res.statusCode, 200)
  const report = res.json()
  t.ok(Value.Check(HealthReportSchema, report), 'valid report')
  t.equal(report.status, 'healthy')
  t.match(report.checks['cache-fail'], { status: 'fail', critical: false })
  t.notOk('error' in report.checks['cache-fail'], 'a plain fail has no error text')
  t.match(report.checks['cache-throw'], { status: 'error', error: 'redis down', critical: false })
  t.match(report.checks['cache-reject'], { status: 'error', error: 'rejected', critical: false })
  t.match(report.checks['cache-timeout'], { status: 'error', error: 'timed out after 10 ms', critical: false })
  t.match(report.checks['cache-non-boolean'], { status: 'error', error: 'check returned the string "ok"; expected a boolean', critical: false })
  t.match(report.checks['non-critical-pass'], { status: 'pass', critical: false })
  for (const name of ['db', 'explicitly-critical']) {
    t.equal(report.checks[name].status, 'pass')
    t.notOk('critical' in report.checks[name], `${name}: a critical check carries no "critical" field`)
  }
  const byName = new Map(events.map(e => [e.name, e]))
  t.equal(byName.get('cache-fail')?.critical, false, 'the status change event says non-critical')
  t.equal(byName.get('db')?.critical, true)
})

t.test('a failing critical check still makes it 503, whatever the non-critical ones do', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('optional', () => true, { critical: false })
  app.addHealthCheck('required', async () => false)
  app.addReadyCheck('optional', () => false, { critical: false })
  app.addReadyCheck('required', () => { throw new Error('no') })
  const health = await app.inject('/health')
  t.equal(health.statusCode, 503)
  t.equal(health.json().status, 'unhealthy')
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().status, 'not_ready')
  t.ok(Value.Check(ReadyReportSchema, ready.json()))
})

t.test('readiness honours critical: false the same way', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('warm-cache', () => false, { critical: false })
  app.addReadyCheck('db', async () => true)
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 200)
  t.equal(res.json().status, 'ready')
  t.match(res.json().checks['warm-cache'], { status: 'fail', critical: false })
})

t.test('only non-critical checks, all failing: healthy (every critical check passed: there are none)', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => false, { critical: false })
  app.addHealthCheck('b', () => { throw new Error('x') }, { critical: false })
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.equal(res.json().status, 'healthy')
})

t.test('no checks at all: healthy and ready, 200, empty checks', async t => {
  const { app } = await buildApp(t)
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.same(health.json().checks, {})
  t.equal((await app.inject('/health/ready')).statusCode, 200)
})

t.test('critical must be a boolean', async t => {
  const { app } = await buildApp(t)
  for (const critical of ['false', 0, null, {}]) {
    t.throws(() => app.addHealthCheck('c', () => true, { critical } as never), {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: addHealthCheck\("c"\) option "critical" must be a boolean/
    }, String(critical))
  }
})
