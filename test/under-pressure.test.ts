// With @fastify/under-pressure shedding load (or any onRequest hook failing a request with a 503), the probes answer
// that 503 with the hook's own error body, exactly as any other route would: not a 500 from the report's schema.
import underPressure from '@fastify/under-pressure'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'

const PROBES = ['/health', '/health/ready', '/health/started', '/health/db', '/health/ready/queue']

/** An app under pressure from the start: under-pressure's external health check says so when it registers. */
async function shedding (t: Test, before?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  before?.(app)
  await app.register(underPressure, { healthCheck: async () => false, healthCheckInterval: 60_000 })
  await app.register(healthPlugin)
  app.addHealthCheck('db', () => true)
  app.addReadyCheck('queue', () => true)
  app.get('/other', async () => ({ other: true }))
  return app
}

t.test('under-pressure shedding load: every probe answers its 503 with its error body, as any other route does', async t => {
  const app = await shedding(t)
  const other = await app.inject('/other')
  t.equal(other.statusCode, 503, 'precondition: under pressure')
  t.same(other.json(), { statusCode: 503, code: 'FST_UNDER_PRESSURE', error: 'Service Unavailable', message: 'Service Unavailable' })
  for (const url of PROBES) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 503, `${url}: 503, not 500`)
    t.equal(res.body, other.body, `${url}: the same body, byte for byte`)
    t.equal(res.headers['retry-after'], '10', `${url}: under-pressure's Retry-After`)
  }
})

t.test('an onRequest hook that throws a 503: the probe sends that error, with or without a status field of its own', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async request => {
    // The shape of http-errors (@fastify/sensible): `status` beside `statusCode`.
    if (request.headers['x-fail'] === 'status') throw Object.assign(new Error('maintenance'), { status: 503, statusCode: 503, expose: true })
    if (request.headers['x-fail'] === 'plain') throw Object.assign(new Error('draining'), { statusCode: 503, code: 'E_DRAIN' })
  })
  await app.register(healthPlugin)
  app.addHealthCheck('db', () => false)
  const failing = await app.inject('/health')
  t.equal(failing.statusCode, 503)
  t.match(failing.json(), { status: 'unhealthy', checks: { db: { status: 'fail' } } }, 'without the hook: the report')
  const withStatus = await app.inject({ url: '/health', headers: { 'x-fail': 'status' } })
  t.equal(withStatus.statusCode, 503)
  t.equal(withStatus.body, '{"statusCode":503,"error":"Service Unavailable","message":"maintenance"}')
  const plain = await app.inject({ url: '/health/ready', headers: { 'x-fail': 'plain' } })
  t.equal(plain.statusCode, 503)
  t.equal(plain.body, '{"statusCode":503,"code":"E_DRAIN","error":"Service Unavailable","message":"draining"}')
})

t.test('the README recipe: liveness probes pass through under-pressure, readiness still sheds', async t => {
  const app = await shedding(t, app => {
    app.addHook('onRoute', route => {
      // under-pressure reads a route's own pressureHandler from its config; one that returns nothing lets it through.
      if (route.config?.healthProbe === 'health') route.config = { ...route.config, pressureHandler: () => {} } as typeof route.config
    })
  })
  const live = await app.inject('/health')
  t.equal(live.statusCode, 200, 'liveness answers by its checks: a busy instance is not restarted')
  t.match(live.json(), { status: 'healthy', checks: { db: { status: 'pass' } } })
  t.equal((await app.inject('/health/db')).statusCode, 200, 'its per-check route too')
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503, 'readiness sheds: out of rotation until the pressure is gone')
  t.match(ready.json(), { code: 'FST_UNDER_PRESSURE' })
  t.equal((await app.inject('/other')).statusCode, 503, 'the app\'s routes shed as before')
})
