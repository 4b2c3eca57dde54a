import Fastify from 'fastify'
import t from 'tap'
import { buildApp } from './helpers/app'
import healthPlugin from '../lib/index'
import type { StatusChangeEvent } from '../lib/types'
import { captureLogs, statusLines } from './helpers/logs'

t.test('onStatusChange is called once per change of a check\'s status, first run included', async t => {
  const events: StatusChangeEvent[] = []
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin, { onStatusChange: event => { events.push(event) } })
  let db: boolean | 'throw' = true
  app.addReadyCheck('db', async () => {
    if (db === 'throw') throw new Error('ECONNREFUSED')
    return db
  })
  app.addHealthCheck('loop', () => true, { critical: false })

  await app.inject('/health/ready')
  await app.inject('/health')
  t.equal(events.length, 2, 'first runs are reported, passing ones too')
  t.match(events[0], { name: 'db', kind: 'ready', previous: null, status: 'pass', critical: true, duration: Number, timestamp: Number })
  t.match(events[1], { name: 'loop', kind: 'health', previous: null, status: 'pass', critical: false })
  t.notOk('error' in events[0])

  await app.inject('/health/ready')
  await app.inject('/health')
  t.equal(events.length, 2, 'no change, no event')

  db = 'throw'
  await app.inject('/health/ready')
  await app.runReadyChecks()
  t.equal(events.length, 3)
  t.match(events[2], { name: 'db', kind: 'ready', previous: 'pass', status: 'error', error: 'ECONNREFUSED' })

  db = false
  await app.inject('/health/ready')
  db = true
  await app.inject('/health/ready')
  t.same(events.slice(3).map(e => [e.previous, e.status]), [['error', 'fail'], ['fail', 'pass']])

  // The event carries the same fields as the log line.
  const logged = statusLines(logs.lines).map(line => line.healthCheck)
  t.same(logged, events.filter(e => !(e.previous === null && e.status === 'pass')), 'log lines and events agree')
})

t.test('an onStatusChange that throws is logged and does not break the probe', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  let calls = 0
  await app.register(healthPlugin, { onStatusChange: () => { calls++; throw new Error('metrics down') } })
  app.addHealthCheck('loop', () => true)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.equal(res.json().status, 'healthy')
  t.equal(calls, 1)
  const error = logs.lines.find(line => line.msg === 'fastify-health: onStatusChange failed; the change is still applied')
  t.equal(error?.level, 50)
  t.equal(error?.err?.message, 'metrics down')
  await app.inject('/health')
  t.equal(calls, 1, 'the change was recorded even though the hook threw')
})

t.test('concurrent probes sharing one run report a change once', async t => {
  const events: StatusChangeEvent[] = []
  const { app } = await buildApp(t, { onStatusChange: event => { events.push(event) } })
  app.addReadyCheck('db', async () => await new Promise<boolean>(resolve => setImmediate(resolve, false)))
  const answers = await Promise.all([app.inject('/health/ready'), app.inject('/health/ready'), app.runReadyChecks()])
  t.same([answers[0].statusCode, answers[1].statusCode], [503, 503])
  t.equal(events.length, 1)
  t.match(events[0], { previous: null, status: 'fail' })
})
