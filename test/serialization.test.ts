import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { buildApp } from './helpers/app'
import { HealthReportSchema, ReadyReportSchema } from '../lib/formats/schema'

t.test('the response schemas keep every field of the report', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('broken', () => { throw new Error('nope') }, { critical: false })
  app.addHealthCheck('fine', () => true)
  const res = await app.inject('/health')
  const body = res.json()
  t.equal(res.statusCode, 200)
  t.same(Object.keys(body).sort(), ['checks', 'status', 'timestamp'])
  t.same(Object.keys(body.checks.broken).sort(), ['critical', 'duration', 'error', 'status', 'timestamp'], 'error, duration and critical survive serialisation')
  t.same(Object.keys(body.checks.fine).sort(), ['duration', 'status', 'timestamp'])
  t.ok(Value.Check(HealthReportSchema, body), 'the body validates against the schema')
})

t.test('the 503 answer is serialised by the schema too', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('down', async () => { throw new Error('down') })
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  const body = res.json()
  t.ok(Value.Check(ReadyReportSchema, body))
  t.equal(body.checks.down.error, 'down')
  t.type(body.checks.down.duration, 'number')
})

t.test('fields a check result does not define are not serialised', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('x', () => true)
  app.get('/leak', { schema: { response: { 200: HealthReportSchema } } }, async () => ({
    status: 'healthy', timestamp: 1, checks: { x: { status: 'pass', timestamp: 1, duration: 1, secret: 'hunter2' } }, internal: true
  }))
  const body = (await app.inject('/leak')).json()
  t.notOk('internal' in body)
  t.notOk('secret' in body.checks.x, 'the schema, not JSON.stringify, shapes the body')
})

// A variable, so that no linter reads the key as the deprecated accessor.
const PROTO = '__proto__'

t.test('any string is a check name, each under its own key', async t => {
  const { app } = await buildApp(t)
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'with spaces', '数据库', 'a.b', '']
  for (const name of names.slice(0, -1)) app.addHealthCheck(name, () => true)
  app.addReadyCheck('__proto__', () => false)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  const raw = res.body
  for (const name of names.slice(0, -1)) t.ok(raw.includes(`${JSON.stringify(name)}:{"status":"pass"`), `${name} is in the JSON`)
  const checks = JSON.parse(raw).checks
  t.same(Object.keys(checks), names.slice(0, -1))
  const ready = JSON.parse((await app.inject('/health/ready')).body)
  t.same(Object.keys(ready.checks), ['__proto__'], 'the same name may be used by both kinds')
  t.equal(ready.checks[PROTO].status, 'fail')
})

t.test('names with line terminators come back under their exact key', async t => {
  const { app } = await buildApp(t)
  const names = ['line\nfeed', 'carriage\rreturn', 'line\u2028separator', 'paragraph\u2029separator', 'both\r\n', '\n']
  for (const name of names) app.addHealthCheck(name, () => true)
  app.addReadyCheck('ready\u2028x', () => false)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.same(Object.keys(JSON.parse(res.body).checks), names, 'every entry kept, keys exact')
  for (const name of names) t.equal(JSON.parse(res.body).checks[name].status, 'pass', encodeURI(name)) // a raw U+2028 would break the TAP line
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.same(Object.keys(JSON.parse(ready.body).checks), ['ready\u2028x'])
  const single = await app.inject(`/health/${encodeURIComponent('line\nfeed')}`)
  t.equal(single.statusCode, 200)
  t.same(Object.keys(single.json().checks), ['line\nfeed'])
})
