import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'

t.test('default paths answer liveness and readiness', async t => {
  const { app } = await buildApp(t)
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.equal(health.json().status, 'healthy')
  t.same(health.json().checks, {})
  t.type(health.json().timestamp, 'number')
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ready')
  t.same(ready.json().checks, {})
})

t.test('custom paths move both endpoints and free the defaults', async t => {
  const { app } = await buildApp(t, { path: '/status', readyPath: '/status/ready' })
  app.addHealthCheck('database', () => true)
  app.addReadyCheck('migrations', () => false)
  const status = await app.inject('/status')
  t.equal(status.statusCode, 200)
  t.equal(status.json().checks.database.status, 'pass')
  const ready = await app.inject('/status/ready')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().status, 'not_ready')
  t.equal((await app.inject('/health')).statusCode, 404)
  t.equal((await app.inject('/health/ready')).statusCode, 404)
})

t.test('a request to another path is not answered by the plugin', async t => {
  const { app } = await buildApp(t)
  app.get('/hello', async () => ({ hello: 'world' }))
  t.same((await app.inject('/hello')).json(), { hello: 'world' })
  t.equal((await app.inject('/healthz')).statusCode, 404)
  t.equal((await app.inject('/health/readyz')).statusCode, 404)
})

t.test('methods other than GET and HEAD are left to the app', async t => {
  const { app } = await buildApp(t)
  let checkRuns = 0
  app.addHealthCheck('counted', () => { checkRuns++; return true })
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    t.equal((await app.inject({ method, url: '/health' })).statusCode, 404, `${method} /health is the app's 404`)
    t.equal((await app.inject({ method, url: '/health/ready' })).statusCode, 404, `${method} /health/ready is the app's 404`)
  }
  t.equal(checkRuns, 0, 'no check ran for those methods')

  const app2 = Fastify()
  t.after(() => app2.close())
  await app2.register(healthPlugin)
  app2.post('/health', async () => ({ mine: true }))
  t.same((await app2.inject({ method: 'POST', url: '/health' })).json(), { mine: true }, 'the app may own POST /health')
})

t.test('HEAD answers the same status code and headers with no body', async t => {
  const { app } = await buildApp(t)
  let healthy = true
  app.addHealthCheck('toggle', () => healthy)
  for (const expected of [200, 503]) {
    healthy = expected === 200
    const get = await app.inject('/health')
    const head = await app.inject({ method: 'HEAD', url: '/health' })
    t.equal(get.statusCode, expected)
    t.equal(head.statusCode, expected)
    t.equal(head.body, '')
    t.equal(head.headers['content-type'], get.headers['content-type'])
    t.equal(head.headers['cache-control'], 'no-store')
  }
  const readyHead = await app.inject({ method: 'HEAD', url: '/health/ready' })
  t.equal(readyHead.statusCode, 200)
  t.equal(readyHead.body, '')
})

t.test('responses are JSON and never cached', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('failing', () => false)
  for (const url of ['/health', '/health/ready']) {
    const res = await app.inject(url)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8', `${url} content-type`)
    t.equal(res.headers['cache-control'], 'no-store', `${url} cache-control`)
  }
})

t.test('the routes carry the healthProbe marker in their config', async t => {
  const { app } = await buildApp(t)
  const seen: Array<string | undefined> = []
  app.addHook('onRequest', async request => { seen.push(request.routeOptions.config.healthProbe) })
  await app.inject('/health')
  await app.inject('/health/ready')
  t.same(seen, ['health', 'ready'])
})
