import t from 'tap'
import { microprofile } from '../lib/formats/microprofile'
import { buildApp } from './helpers/app'
import { outcome } from './helpers/outcome'

t.test('shape: every status, data as flat values, the overall status from the status code', async t => {
  const body = JSON.parse(microprofile(outcome(503), 'ready', true))
  t.same(Object.keys(body), ['status', 'checks'])
  t.equal(body.status, 'DOWN')
  t.same(body.checks, [
    { name: 'db', status: 'UP', data: { duration: 1.2345 } },
    { name: 'cache', status: 'UP', data: { observedValue: 40, observedUnit: '%', output: 'hit rate 40%', duration: 0.5 } },
    { name: 'queue', status: 'DOWN', data: { error: 'queue depth 9000', since: new Date((1_790_000_000.123 - 60) * 1000).toISOString(), duration: 12 } },
    { name: 'api', status: 'DOWN', data: { error: 'timed out after 800 ms', duration: 800 } },
    { name: 'search', status: 'DOWN', data: { error: 'skipped: depends on db (error)', duration: 0 } },
    { name: 'mailer', status: 'DOWN', data: { error: 'SMTP 421', duration: 3, critical: false } },
    { name: 'availability', status: 'DOWN', data: { error: 'maintenance', duration: 0 } }
  ])
  for (const check of body.checks) {
    for (const value of Object.values(check.data)) t.ok(['string', 'number', 'boolean'].includes(typeof value), 'flat values only (the schema allows string, number, boolean)')
  }
  t.equal(JSON.parse(microprofile(outcome(200, ['db', 'mailer']), 'ready', true)).status, 'UP', 'a failing non-critical check leaves it UP')
})

t.test('data: the status a threshold holds back, a value without a unit', async t => {
  const held = { code: 200, report: { status: 'ready', timestamp: 1, checks: { db: { status: 'pass' as const, observed: 'fail' as const, observedValue: true, timestamp: 1, duration: 2 } } }, states: [{ name: 'db', critical: true }] }
  t.same(JSON.parse(microprofile(held, 'ready', true)).checks, [{ name: 'db', status: 'UP', data: { observedValue: true, observed: 'fail', duration: 2 } }])
})

t.test('without details: the status and an empty checks array', async t => {
  t.equal(microprofile(outcome(503), 'ready', false), '{"status":"DOWN","checks":[]}')
  t.equal(microprofile(outcome(200, ['db']), 'ready', false), '{"status":"UP","checks":[]}')
})

t.test('?format=microprofile on the routes: 200 UP, 503 DOWN, the app\'s own entries, per-check routes', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  app.addReadyCheck('queue', () => true)
  const up = await app.inject('/health?format=microprofile')
  t.equal(up.statusCode, 200)
  t.equal(up.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(up.headers['cache-control'], 'no-store')
  t.same(up.json(), { status: 'UP', checks: [{ name: 'db', status: 'UP', data: { duration: up.json().checks[0].data.duration } }] })
  ok = false
  const down = await app.inject('/health?format=microprofile')
  t.equal(down.statusCode, 503)
  t.equal(down.json().status, 'DOWN')
  t.equal((await app.inject('/health/db?format=microprofile')).json().checks[0].status, 'DOWN', 'per-check route')

  app.health.setReady(false, 'draining')
  const ready = await app.inject('/health/ready?format=microprofile')
  t.equal(ready.statusCode, 503)
  t.same(ready.json().checks.map((c: { name: string, status: string }) => [c.name, c.status]), [['queue', 'UP'], ['availability', 'DOWN']])
  t.equal(ready.json().checks[1].data.error, 'draining')

  const hidden = await buildApp(t, { exposeDetails: false })
  hidden.app.addHealthCheck('secret-db', () => true)
  const summary = await hidden.app.inject('/health?format=microprofile')
  t.equal(summary.body, '{"status":"UP","checks":[]}', 'exposeDetails: false hides the checks')
})
