import t from 'tap'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

const HEALTH_JSON = 'application/health+json'
const ask = (url: string, accept = HEALTH_JSON) => ({ url, headers: { accept } })
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

t.test('Accept: application/health+json answers in the IETF format, field by field', async t => {
  const { app } = await buildApp(t, {
    service: { serviceId: 'f03e522f', version: '1', releaseId: '1.2.2', description: 'health of the orders service' }
  })
  await app.ready()
  const clock = fakeClock(t)
  clock.setSystemTime(Date.UTC(2026, 0, 17, 3, 36, 48, 250))
  app.addHealthCheck('db', () => ({ status: 'pass', output: 'fine', observedValue: 250, observedUnit: 'ms' }))
  app.addHealthCheck('cpu', () => true)
  const res = await app.inject(ask('/health'))
  t.equal(res.statusCode, 200, '2xx for pass')
  t.equal(res.headers['content-type'], HEALTH_JSON)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  // Section 3: status is the one required field; version, releaseId, serviceId and description come from `service`.
  t.same(body, {
    status: 'pass',
    version: '1',
    releaseId: '1.2.2',
    serviceId: 'f03e522f',
    description: 'health of the orders service',
    checks: {
      // Section 4: each key points to an array; a single-node component gets a single-element array.
      // 4.8: output SHOULD be omitted for a passing component.
      db: [{ status: 'pass', time: '2026-01-17T03:36:48.250Z', observedValue: 250, observedUnit: 'ms' }],
      cpu: [{ status: 'pass', time: '2026-01-17T03:36:48.250Z' }]
    }
  })
  t.notOk('output' in body, '3.5: no top-level output for pass')
})

t.test('warn: every critical check passes but an entry warns or a non-critical check fails', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('disk', () => ({ status: 'warn', output: '91% full', observedValue: 91, observedUnit: 'percent' }))
  app.addHealthCheck('optional', () => { throw new Error('unreachable') }, { critical: false })
  app.addHealthCheck('db', () => true)
  const res = await app.inject(ask('/health'))
  t.equal(res.statusCode, 200, 'warn MUST be 2xx-3xx')
  const body = res.json()
  t.equal(body.status, 'warn')
  t.equal(body.output, 'disk: 91% full; optional: unreachable')
  t.match(body.checks.disk, [{ status: 'warn', output: '91% full', observedValue: 91, observedUnit: 'percent', time: ISO_8601 }])
  t.match(body.checks.optional, [{ status: 'fail', output: 'unreachable', time: ISO_8601 }], 'error maps to fail with the message')
  t.same(Object.keys(body.checks.db[0]), ['status', 'time'])
  t.notOk('serviceId' in body, 'no service fields without the option')
})

t.test('fail: 503, failing entries with their output, top-level output naming them', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', async () => false)
  app.addReadyCheck('cache', () => ({ status: 'fail', output: 'evicting' }))
  app.addReadyCheck('ok', () => true)
  const res = await app.inject(ask('/health/ready'))
  t.equal(res.statusCode, 503, '4xx-5xx for fail')
  const body = res.json()
  t.equal(body.status, 'fail')
  t.match(body.checks.db, [{ status: 'fail', time: ISO_8601 }])
  t.notOk('output' in body.checks.db[0], 'a plain false has nothing to say')
  t.match(body.checks.cache, [{ status: 'fail', output: 'evicting' }])
  t.equal(body.output, 'db: fail; cache: evicting')
})

t.test('the Accept header is negotiated with q-values', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => true)
  const cases: Array<[string, boolean]> = [
    [HEALTH_JSON, true],
    ['Application/Health+JSON', true],
    [`application/json;q=0.9, ${HEALTH_JSON}`, true],
    [`${HEALTH_JSON};q=0.5, application/json`, false],
    [`application/json;q=0.5, ${HEALTH_JSON} ; q=0.8`, true],
    [`${HEALTH_JSON}, */*`, true],
    [`*/*;q=0.1, ${HEALTH_JSON};q=0.1`, true],
    [`${HEALTH_JSON};q=0`, false],
    [`${HEALTH_JSON};Q=0.1, application/json`, false],
    [`${HEALTH_JSON};q=0, application/json`, false],
    ['application/json', false],
    ['*/*', false],
    [`text/html, ${HEALTH_JSON};q=0.9`, false]
  ]
  for (const [accept, wanted] of cases) {
    const res = await app.inject(ask('/health', accept))
    t.equal(res.headers['content-type'], wanted ? HEALTH_JSON : 'application/json; charset=utf-8', accept)
    t.equal(res.json().status, wanted ? 'pass' : 'healthy', accept)
  }
})

t.test('the details policy and ?exclude apply', async t => {
  let allow = false
  const { app } = await buildApp(t, { exposeDetails: () => allow, service: { serviceId: 'svc' } })
  app.addHealthCheck('secret', () => false)
  app.addHealthCheck('shaky', () => ({ status: 'warn', output: 'slow' }))
  const hidden = await app.inject(ask('/health'))
  t.equal(hidden.statusCode, 503)
  t.same(hidden.json(), { status: 'fail', output: 'failing', serviceId: 'svc' }, 'no checks and no names')
  const hiddenExclusion = await app.inject(ask('/health?exclude=secret'))
  t.equal(hiddenExclusion.statusCode, 503, 'without details, exclusions are ignored')
  t.same(hiddenExclusion.json(), { status: 'fail', output: 'failing', serviceId: 'svc' })
  allow = true
  const excluded = await app.inject(ask('/health?exclude=secret'))
  t.same(Object.keys(excluded.json().checks), ['shaky'])
  t.equal(excluded.json().output, 'shaky: slow')
})

t.test('per-check routes and the startup probe speak it too', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => false)
  app.addStartupCheck('warm', () => true)
  await app.ready()
  const single = await app.inject(ask('/health/db'))
  t.equal(single.statusCode, 503)
  t.match(single.json(), { status: 'fail', checks: { db: [{ status: 'fail' }] } })
  t.same(Object.keys(single.json().checks), ['db'])
  const started = await app.inject(ask('/health/started'))
  t.equal(started.statusCode, 200)
  t.equal(started.json().status, 'pass')
})

t.test('an entry the app adds (setReady(false)) fails the answer', async t => {
  const { app } = await buildApp(t)
  await app.ready()
  app.health.setReady(false, 'draining')
  const res = await app.inject(ask('/health/ready'))
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'fail', output: 'availability: draining', checks: { availability: [{ status: 'fail', output: 'draining' }] } })
})

t.test('a check named __proto__ is an ordinary key', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('__proto__', () => false)
  const res = await app.inject(ask('/health'))
  t.same(Object.keys(JSON.parse(res.body).checks), ['__proto__'])
  const proto = '__proto__'
  t.equal(JSON.parse(res.body).checks[proto][0].status, 'fail')
})

t.test('with no checks the answer is a bare pass', async t => {
  const { app } = await buildApp(t)
  const res = await app.inject(ask('/health'))
  t.same(res.json(), { status: 'pass', checks: {} })
})

t.test('without details a degraded answer says degraded', async t => {
  const { app } = await buildApp(t, { exposeDetails: false })
  app.addHealthCheck('shaky', () => ({ status: 'warn', output: 'slow' }))
  const res = await app.inject(ask('/health'))
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'warn', output: 'degraded' })
})
