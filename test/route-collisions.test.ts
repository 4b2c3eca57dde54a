import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'

// The routes the plugin adds: each probe and group path, and `{path}/:name` for the per-check routes. Taken paths are
// refused with an error that says what collides, and per-check routes can be turned off.

t.test('a trailing slash is the same path: readyPath "/health/" collides with path "/health"', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(healthPlugin, { readyPath: '/health/' })
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_HEALTH_INVALID_OPTION',
    message: 'fastify-health: option "readyPath" must be different from "path" (both are "/health"), received "/health"'
  })
})

t.test('trailing slashes are dropped from paths', async t => {
  const { app } = await buildApp(t, { path: '/live/', readyPath: '/ready//' })
  t.equal((await app.inject('/live')).statusCode, 200)
  t.equal((await app.inject('/ready')).statusCode, 200)
})

t.test('an app route where the per-check routes go is named, with the way out', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/health/:id', async () => 'mine')
  app.register(healthPlugin)
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_HEALTH_INVALID_OPTION',
    message: 'fastify-health: the per-check route of the health route would be GET /health/:name, which the app already has; choose another path, or turn per-check routes off with the option checkRoutes: false'
  })
})

t.test('an app route at a probe path is named', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/health/ready', async () => 'mine')
  app.register(healthPlugin)
  await t.rejects(async () => { await app.ready() }, { message: 'fastify-health: the ready route would be GET /health/ready, which the app already has; choose another path' })
})

t.test('checkRoutes: false adds only the probe routes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/health/:id', async (request) => `mine: ${(request.params as { id: string }).id}`)
  await app.register(healthPlugin, { checkRoutes: false, groups: { payments: {} } })
  app.addHealthCheck('db', () => true)
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/health/db')).body, 'mine: db', 'the app keeps its own route')
  t.equal((await app.inject('/health/group/payments/stripe')).statusCode, 404)
  t.equal((await app.inject('/health/group/payments')).statusCode, 200)
  // Without per-check routes, a name longer than maxParamLength is fine.
  t.doesNotThrow(() => app.addHealthCheck('x'.repeat(500), () => true))
})

t.test('checkRoutes is validated', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(healthPlugin, { checkRoutes: 'no' as never })
  await t.rejects(async () => { await app.ready() }, { message: 'fastify-health: option "checkRoutes" must be a boolean, received "no"' })
})

t.test('a name longer than Fastify\'s maxParamLength is refused at registration, and every other name is reachable', async t => {
  const { app } = await buildApp(t)
  t.throws(() => app.addHealthCheck('n'.repeat(101), () => true), {
    code: 'FST_HEALTH_INVALID_CHECK_NAME',
    message: /^fastify-health: addHealthCheck\("n{40}"…\): the name is longer than Fastify's maxParamLength \(100 characters in a URL\)/
  })
  // Encoded, "é" takes six characters of the URL.
  t.throws(() => app.addReadyCheck('é'.repeat(17), () => true), { code: 'FST_HEALTH_INVALID_CHECK_NAME' })
  app.addHealthCheck('n'.repeat(100), () => false)
  app.addReadyCheck('é'.repeat(16), () => true)
  t.equal((await app.inject(`/health/${'n'.repeat(100)}`)).statusCode, 503)
  t.equal((await app.inject(`/health/ready/${encodeURIComponent('é'.repeat(16))}`)).statusCode, 200)
})

t.test('a larger maxParamLength in routerOptions admits longer names', async t => {
  const app = Fastify({ routerOptions: { maxParamLength: 300 } })
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  app.addHealthCheck('n'.repeat(300), () => true)
  t.throws(() => app.addHealthCheck('n'.repeat(301), () => true), { message: /maxParamLength \(300 characters in a URL\)/ })
  t.equal((await app.inject(`/health/${'n'.repeat(300)}`)).statusCode, 200)
})

t.test('routerOptions without maxParamLength keep Fastify\'s default', async t => {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: false } })
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  t.throws(() => app.addHealthCheck('n'.repeat(101), () => true), { message: /maxParamLength \(100 characters in a URL\)/ })
})
