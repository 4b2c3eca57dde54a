import t from 'tap'
import { healthchecksUi, timeSpan } from '../lib/formats/healthchecks-ui'
import { buildApp } from './helpers/app'
import { outcome } from './helpers/outcome'

t.test('TimeSpan strings in the constant ("c") format, 100 ns ticks', async t => {
  t.equal(timeSpan(0), '00:00:00', 'no fraction when it is zero')
  t.equal(timeSpan(1.2345), '00:00:00.0012345')
  t.equal(timeSpan(1), '00:00:00.0010000', 'seven digits, trailing zeros kept')
  t.equal(timeSpan(0.00004), '00:00:00', 'below half a tick: zero')
  t.equal(timeSpan(800), '00:00:00.8000000')
  t.equal(timeSpan(61_000), '00:01:01')
  t.equal(timeSpan(3_723_004.5), '01:02:03.0045000')
  t.equal(timeSpan(90_061_000), '1.01:01:01', 'days before a dot')
  t.equal(timeSpan(-5), '00:00:00', 'never negative')
})

t.test('shape: UIHealthReport with entries, statuses, descriptions, exceptions and tags', async t => {
  const body = JSON.parse(healthchecksUi(outcome(503), 'ready', true))
  t.same(Object.keys(body), ['status', 'totalDuration', 'entries'])
  t.equal(body.status, 'Unhealthy')
  t.equal(body.totalDuration, '00:00:00.8000000', 'the longest entry: the checks run concurrently')
  t.same(body.entries.db, { data: { duration: 1.2345 }, duration: '00:00:00.0012345', status: 'Healthy', tags: ['ready', 'custom'] })
  t.same(body.entries.cache, {
    data: { observedValue: 40, observedUnit: '%', output: 'hit rate 40%', duration: 0.5 },
    description: 'hit rate 40%',
    duration: '00:00:00.0005000',
    status: 'Degraded',
    tags: ['ready', 'custom']
  }, 'warn is Degraded')
  t.equal(body.entries.queue.status, 'Unhealthy')
  t.equal(body.entries.queue.description, 'queue depth 9000')
  t.notOk('exception' in body.entries.queue, 'a check that answered false did not throw')
  t.match(body.entries.api, { status: 'Unhealthy', description: 'timed out after 800 ms', exception: 'timed out after 800 ms' })
  t.match(body.entries.search, { status: 'Unhealthy', description: 'skipped: depends on db (error)' })
  t.match(body.entries.mailer, { status: 'Degraded', description: 'SMTP 421', data: { critical: false } }, 'a failing non-critical check is Degraded')
  t.same(body.entries.availability.tags, ['ready'], 'the app\'s own entry: the route\'s group')
  t.equal(body.entries.availability.status, 'Unhealthy')

  t.equal(JSON.parse(healthchecksUi(outcome(200, ['db']), 'ready', true)).status, 'Healthy')
  t.equal(JSON.parse(healthchecksUi(outcome(200, ['db', 'cache']), 'ready', true)).status, 'Degraded')
  t.equal(JSON.parse(healthchecksUi(outcome(200, ['db', 'mailer']), 'ready', true)).status, 'Degraded')
})

t.test('without details: the status, no entries', async t => {
  t.equal(healthchecksUi(outcome(503), 'ready', false), '{"status":"Unhealthy","totalDuration":"00:00:00","entries":{}}')
  t.equal(healthchecksUi(outcome(200, ['db', 'cache']), 'ready', false), '{"status":"Healthy","totalDuration":"00:00:00","entries":{}}')
})

t.test('?format=healthchecks-ui on the routes: application/json on 200 and 503, tags from the kind', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  app.addHealthCheck('__proto__', () => true)
  const up = await app.inject('/health?format=healthchecks-ui')
  t.equal(up.statusCode, 200)
  t.equal(up.headers['content-type'], 'application/json; charset=utf-8')
  t.match(up.json(), { status: 'Healthy', entries: { db: { status: 'Healthy', tags: ['health'] } } })
  t.ok(Object.hasOwn(up.json().entries, '__proto__'), 'a check named __proto__ is an entry like any other')
  ok = false
  const down = await app.inject('/health?format=healthchecks-ui')
  t.equal(down.statusCode, 503)
  t.equal(down.headers['content-type'], 'application/json; charset=utf-8', 'the collector reads a non-2xx answer only as application/json')
  t.equal(down.json().status, 'Unhealthy')
  t.equal(down.json().entries.db.status, 'Unhealthy')
})
