import t from 'tap'
import { actuator, ACTUATOR_V3 } from '../lib/formats/actuator'
import { buildApp } from './helpers/app'
import { outcome } from './helpers/outcome'

t.test('shape: components with status and details; UNKNOWN for skipped; OUT_OF_SERVICE for readiness refused', async t => {
  const body = JSON.parse(actuator(outcome(503), 'ready', true))
  t.same(Object.keys(body), ['status', 'components'])
  t.equal(body.status, 'DOWN', 'DOWN is worse than OUT_OF_SERVICE')
  const statuses = Object.fromEntries(Object.entries(body.components).map(([name, c]) => [name, (c as { status: string }).status]))
  t.same(statuses, { db: 'UP', cache: 'UP', queue: 'DOWN', api: 'DOWN', search: 'UNKNOWN', mailer: 'DOWN', availability: 'OUT_OF_SERVICE' })
  t.same(body.components.cache.details, { observedValue: 40, observedUnit: '%', output: 'hit rate 40%', duration: 0.5 })
  t.same(body.components.mailer.details, { error: 'SMTP 421', duration: 3, critical: false })
  t.same(body.components.search.details, { error: 'skipped: depends on db (error)', duration: 0 })

  t.equal(JSON.parse(actuator(outcome(503, ['db', 'availability']), 'ready', true)).status, 'OUT_OF_SERVICE', 'the app refusing traffic, checks fine')
  t.equal(JSON.parse(actuator(outcome(503, ['db', 'availability']), 'health', true)).components.availability.status, 'DOWN', 'liveness voted down: DOWN (broken), not out of service')
  t.equal(JSON.parse(actuator(outcome(503, ['db', 'search']), 'ready', true)).status, 'DOWN', 'a 503 is never UP or UNKNOWN')
  t.equal(JSON.parse(actuator(outcome(200, ['db', 'mailer']), 'ready', true)).status, 'UP', 'a failing non-critical check leaves it UP')
})

t.test('without details: the status only', async t => {
  t.equal(actuator(outcome(503), 'ready', false), '{"status":"DOWN"}')
  t.equal(actuator(outcome(503, ['db', 'availability']), 'ready', false), '{"status":"OUT_OF_SERVICE"}')
  t.equal(actuator(outcome(200, ['db']), 'ready', false), '{"status":"UP"}')
})

t.test('on the routes: ?format=actuator and the v3 media type in Accept', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  app.addReadyCheck('queue', () => true)
  const up = await app.inject('/health?format=actuator')
  t.equal(up.statusCode, 200)
  t.equal(up.headers['content-type'], ACTUATOR_V3)
  t.same(up.json(), { status: 'UP', components: { db: { status: 'UP', details: { duration: up.json().components.db.details.duration } } } })

  // What Spring Boot Admin asks for.
  const sba = await app.inject({ url: '/health', headers: { accept: `${ACTUATOR_V3},application/vnd.spring-boot.actuator.v2+json,application/json` } })
  t.equal(sba.headers['content-type'], ACTUATOR_V3, 'by Accept')
  t.equal(sba.json().status, 'UP')
  const lower = await app.inject({ url: '/health', headers: { accept: 'application/json, application/vnd.spring-boot.actuator.v3+json;q=0.5' } })
  t.match(lower.json(), { status: 'healthy' }, 'a lower quality than JSON: the usual answer')

  ok = false
  const down = await app.inject('/health?format=actuator')
  t.equal(down.statusCode, 503)
  t.equal(down.json().status, 'DOWN')

  app.health.setReady(false)
  const refused = await app.inject('/health/ready?format=actuator')
  t.equal(refused.statusCode, 503)
  t.equal(refused.json().status, 'OUT_OF_SERVICE', 'setReady(false): OUT_OF_SERVICE, as Spring Boot Admin shows it')
  t.equal(refused.json().components.availability.status, 'OUT_OF_SERVICE')
  app.health.setReady(true)

  const shutdown = app.health.shutdown({ delay: 60_000 })
  const shutting = await app.inject('/health/ready?format=actuator')
  t.equal(shutting.statusCode, 503)
  t.same(shutting.json(), { status: 'OUT_OF_SERVICE', components: { shutdown: { status: 'OUT_OF_SERVICE', details: { error: 'the server is shutting down', duration: 0 } } } }, 'shutting down')
  await Promise.all([app.close(), shutdown])
})

t.test('readiness before the app started: OUT_OF_SERVICE', async t => {
  const { app } = await buildApp(t)
  let started = false
  app.addStartupCheck('warm-up', () => started)
  app.addReadyCheck('queue', () => true)
  await app.ready()
  const res = await app.inject('/health/ready?format=actuator')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'OUT_OF_SERVICE')
  t.equal(res.json().components.startup.status, 'OUT_OF_SERVICE')
  started = true
  await app.inject('/health/started')
  t.equal((await app.inject('/health/started?format=actuator')).json().status, 'UP', 'the startup route, once started')
})
