import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'

// The README's two lines, around a stand-in for real authentication.
function addAuth (app: FastifyInstance, exempt: boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    if (exempt && request.routeOptions.config.healthProbe) return
    if (request.headers.authorization !== 'Bearer good') return await reply.code(401).send({ error: 'unauthorized' })
  })
}

async function build (t: Test, exempt: boolean, hookFirst: boolean): Promise<FastifyInstance> {
  const app = Fastify()
  t.after(() => app.close())
  if (hookFirst) addAuth(app, exempt)
  await app.register(healthPlugin)
  if (!hookFirst) addAuth(app, exempt)
  app.addHealthCheck('loop', () => true)
  app.addReadyCheck('db', async () => true)
  app.get('/private', async () => ({ secret: 42 }))
  return app
}

for (const hookFirst of [true, false]) {
  t.test(`a global auth hook that skips healthProbe routes (hook added ${hookFirst ? 'before' : 'after'} the plugin)`, async t => {
    const app = await build(t, true, hookFirst)
    t.equal((await app.inject('/private')).statusCode, 401, 'other routes need credentials')
    t.equal((await app.inject({ url: '/private', headers: { authorization: 'Bearer good' } })).statusCode, 200)
    for (const method of ['GET', 'HEAD'] as const) {
      t.equal((await app.inject({ method, url: '/health' })).statusCode, 200, `${method} /health without credentials`)
      t.equal((await app.inject({ method, url: '/health/ready' })).statusCode, 200, `${method} /health/ready without credentials`)
    }
  })
}

t.test('without the exemption the same hook blocks the probes (the route config is what lets them through)', async t => {
  const app = await build(t, false, false)
  t.equal((await app.inject('/health')).statusCode, 401)
  t.equal((await app.inject('/health/ready')).statusCode, 401)
})

t.test('route config healthProbe names the probe kind, on GET and HEAD, with custom paths', async t => {
  const { app } = await buildApp(t, { path: '/livez', readyPath: '/readyz' })
  const seen: Record<string, unknown> = {}
  app.addHook('onRequest', async (request) => { seen[`${request.method} ${request.url}`] = request.routeOptions.config.healthProbe })
  app.get('/other', async () => 'x')
  for (const method of ['GET', 'HEAD'] as const) {
    for (const url of ['/livez', '/readyz', '/other']) await app.inject({ method, url })
  }
  t.same(seen, {
    'GET /livez': 'health',
    'GET /readyz': 'ready',
    'GET /other': undefined,
    'HEAD /livez': 'health',
    'HEAD /readyz': 'ready',
    'HEAD /other': undefined
  })
})

t.test('the startup probe and every per-check route carry healthProbe too, so one exemption covers them', async t => {
  const app = Fastify()
  t.after(() => app.close())
  addAuth(app, true)
  await app.register(healthPlugin)
  app.addHealthCheck('loop', () => true)
  app.addReadyCheck('db', () => true)
  app.addStartupCheck('migrations', () => true)
  for (const url of ['/health/started', '/health/loop', '/health/ready/db', '/health/started/migrations']) {
    t.equal((await app.inject(url)).statusCode, 200, `${url} without credentials`)
  }
  t.equal((await app.inject('/health/nope')).statusCode, 404, 'an unknown check is the app\'s 404, not a 401')
})
