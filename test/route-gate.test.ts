import type { FastifyInstance, RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import { FST_HEALTH_DEPENDENCY_UNAVAILABLE, FST_HEALTH_INVALID_OPTION, FST_HEALTH_UNKNOWN_CHECK } from '../lib/errors'
import type { HealthPluginOptions } from '../lib/types'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import { scripted } from './helpers/scripted'

// Routes with config.health.requires answer 503 with Retry-After before their handler while a required check's
// effective status is neither pass nor warn; they read the checks' state and never run them.

/** An app with a background readiness check `db` and a route `/cart` that requires it. */
async function gated (t: Test, options: HealthPluginOptions = {}, checkOptions: Record<string, unknown> = { interval: 1000 }, routeConfig: Record<string, unknown> = {}) {
  const { app, log } = await buildApp(t, options)
  const db = scripted()
  app.addReadyCheck('db', db.fn, checkOptions)
  let handled = 0
  app.get('/cart', { config: { health: { requires: ['db'], ...routeConfig } } }, async () => { handled++; return { cart: [] } })
  app.get('/catalog', async () => ({ items: [] }))
  return { app, log, db, handled: () => handled }
}

t.test('fail and error gate the route before its handler; warn does not', async t => {
  const { app, db, handled } = await gated(t)
  const clock = fakeClock(t)
  await app.ready()
  t.equal((await app.inject('/cart')).statusCode, 200, 'passing: through')
  for (const [outcome, status] of [[false, 'fail'], ['throw', 'error'], [{ status: 'fail', output: 'down' }, 'fail']] as const) {
    db.set(outcome)
    await clock.tickAsync(1000)
    const before = handled()
    const res = await app.inject('/cart')
    t.equal(res.statusCode, 503, `${status}: 503`)
    t.equal(handled(), before, `${status}: the handler did not run`)
    t.same(res.json(), {
      statusCode: 503,
      code: 'FST_HEALTH_DEPENDENCY_UNAVAILABLE',
      error: 'Service Unavailable',
      message: `fastify-health: required check failing: "db" (${status})`
    })
    t.equal((await app.inject('/catalog')).statusCode, 200, 'a route that requires nothing is served')
  }
  db.set({ status: 'warn', output: 'slow' })
  await clock.tickAsync(1000)
  t.equal((await app.inject('/cart')).statusCode, 200, 'warn: through')
})

t.test('the gate follows the effective status: one failure under failureThreshold 3 does not gate', async t => {
  const { app, db } = await gated(t, {}, { interval: 1000, failureThreshold: 3 })
  const clock = fakeClock(t)
  await app.ready()
  db.set(false)
  for (let i = 1; i <= 2; i++) {
    await clock.tickAsync(1000)
    t.equal((await app.inject('/cart')).statusCode, 200, `failure ${i} of 3: through`)
  }
  await clock.tickAsync(1000)
  t.equal((await app.inject('/cart')).statusCode, 503, 'the third failure gates')
  db.set(true)
  await clock.tickAsync(1000)
  t.equal((await app.inject('/cart')).statusCode, 200, 'a pass opens it again')
})

t.test('no result yet: through, and the gate never runs a check', async t => {
  const { app, db, handled } = await gated(t, {}, {})
  await app.ready()
  const res = await app.inject('/cart')
  t.equal(res.statusCode, 200, 'an on-demand check never run lets requests through')
  t.equal(handled(), 1)
  t.equal(db.calls(), 0, 'the gate did not run it')
  db.set(false)
  await app.inject('/health/ready')
  t.equal(db.calls(), 1, 'a probe ran it')
  t.equal((await app.inject('/cart')).statusCode, 503, 'the route sees the probe\'s result')
  t.equal(db.calls(), 1, 'the gate did not run it again')
})

t.test('a background check whose first run is still in flight lets requests through', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('slow', () => new Promise<boolean>(resolve => setTimeout(resolve, 500, false)), { interval: 1000, timeout: 800 })
  app.get('/cart', { config: { health: { requires: ['slow'] } } }, async () => 'ok')
  const clock = fakeClock(t)
  await app.ready()
  t.equal((await app.inject('/cart')).statusCode, 200, 'no result yet: through, without waiting')
  await clock.tickAsync(500)
  t.equal((await app.inject('/cart')).statusCode, 503, 'its failure then gates')
})

t.test('Retry-After: until the next background run, whole seconds, at least 1', async t => {
  const { app, db } = await gated(t, {}, { interval: 10_000 })
  const clock = fakeClock(t)
  await app.ready()
  db.set(false)
  await clock.tickAsync(10_000)
  t.equal((await app.inject('/cart')).headers['retry-after'], '10', 'just after a run: the whole interval')
  await clock.tickAsync(2500)
  t.equal((await app.inject('/cart')).headers['retry-after'], '8', '7.5 s to go: rounded up')
  await clock.tickAsync(7499)
  t.equal((await app.inject('/cart')).headers['retry-after'], '1', '1 ms to go: at least 1')
})

t.test('Retry-After follows back-off', async t => {
  const { app, db } = await gated(t, {}, { interval: 1000, maxInterval: 8000 })
  const clock = fakeClock(t)
  await app.ready()
  db.set(false)
  // Runs at 1000 (fails: next in 2000), 3000 (next in 4000), 7000 (next in 8000).
  await clock.tickAsync(1000)
  t.equal((await app.inject('/cart')).headers['retry-after'], '2')
  await clock.tickAsync(2000)
  t.equal((await app.inject('/cart')).headers['retry-after'], '4')
  await clock.tickAsync(4000)
  t.equal((await app.inject('/cart')).headers['retry-after'], '8')
})

t.test('Retry-After of an on-demand check: the route\'s retryAfter, 5 by default, rounded up', async t => {
  for (const [config, expected] of [[{}, '5'], [{ retryAfter: 12 }, '12'], [{ retryAfter: 2.5 }, '3'], [{ retryAfter: 0.2 }, '1']] as const) {
    const { app, db } = await gated(t, {}, {}, config)
    await app.ready()
    db.set(false)
    await app.inject('/health/ready')
    const res = await app.inject('/cart')
    t.equal(res.statusCode, 503)
    t.equal(res.headers['retry-after'], expected, `retryAfter ${JSON.stringify(config)}`)
  }
})

t.test('several failing checks: the largest Retry-After, and every failing name', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => false, { interval: 3000 })
  app.addReadyCheck('payments', () => { throw new Error('no') }, { interval: 20_000 })
  app.addReadyCheck('search', () => true, { interval: 60_000 })
  app.addReadyCheck('flags', () => false)
  app.get('/checkout', { config: { health: { requires: ['db', 'payments', 'search'] } } }, async () => 'ok')
  app.get('/everything', { config: { health: { requires: ['db', 'flags'], retryAfter: 30 } } }, async () => 'ok')
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  const res = await app.inject('/checkout')
  t.equal(res.headers['retry-after'], '20', 'payments runs again in 20 s, db in 3 s')
  t.equal(res.json().message, 'fastify-health: required checks failing: "db" (fail), "payments" (error)', 'the passing one is not named')
  await app.inject('/health/ready')
  t.equal((await app.inject('/everything')).headers['retry-after'], '30', 'the on-demand one\'s retryAfter is larger than db\'s 3 s')
})

t.test('the app\'s error handler shapes the answer; Retry-After is already set', async t => {
  const { app, db } = await gated(t)
  const seen: unknown[] = []
  app.setErrorHandler((err, _request, reply) => {
    seen.push(err)
    return reply.code((err as { statusCode: number }).statusCode).send({ sorry: (err as { code: string }).code })
  })
  const clock = fakeClock(t)
  await app.ready()
  db.set(false)
  await clock.tickAsync(1000)
  const res = await app.inject('/cart')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { sorry: 'FST_HEALTH_DEPENDENCY_UNAVAILABLE' })
  t.equal(res.headers['retry-after'], '1')
  t.equal(seen.length, 1)
  t.ok(seen[0] instanceof FST_HEALTH_DEPENDENCY_UNAVAILABLE, 'an exported error class')
  t.equal((seen[0] as { statusCode: number }).statusCode, 503)
})

t.test('names are hidden where the details policy hides them', async t => {
  const generic = 'fastify-health: a dependency of this route is unavailable'
  const cases: Array<[string, HealthPluginOptions['exposeDetails'], string]> = [
    ['false', false, generic],
    ['a function returning false', () => false, generic],
    ['a function returning true', () => true, 'fastify-health: required check failing: "db" (fail)'],
    ['an async function resolving true', async () => true, 'fastify-health: required check failing: "db" (fail)'],
    ['a function reading the request', request => request.headers['x-internal'] === '1', generic]
  ]
  for (const [what, exposeDetails, message] of cases) {
    const { app, db } = await gated(t, { exposeDetails })
    const clock = fakeClock(t)
    await app.ready()
    db.set(false)
    await clock.tickAsync(1000)
    const res = await app.inject('/cart')
    t.equal(res.statusCode, 503, what)
    t.equal(res.json().message, message, what)
    t.equal(res.headers['retry-after'], '1', `${what}: Retry-After either way`)
    clock.uninstall()
  }
})

t.test('a details policy that throws or hangs hides the names, and is logged', async t => {
  for (const [what, exposeDetails, line] of [
    ['throws', () => { throw new Error('boom') }, 'fastify-health: exposeDetails failed; answering without details'],
    ['rejects', async () => { throw new Error('boom') }, 'fastify-health: exposeDetails failed; answering without details'],
    ['hangs', async () => await new Promise<boolean>(() => {}), 'fastify-health: exposeDetails did not settle within 800 ms; answering without details']
  ] as const) {
    const { app, db, log } = await gated(t, { exposeDetails })
    const clock = fakeClock(t)
    await app.ready()
    db.set(false)
    await clock.tickAsync(1000)
    const pending = app.inject('/cart')
    await clock.tickAsync(800)
    const res = await pending
    t.equal(res.json().message, 'fastify-health: a dependency of this route is unavailable', what)
    t.ok(log.lines.some(l => l.msg === line), `${what}: logged`)
    clock.uninstall()
  }
})

t.test('an unknown name fails app.ready(), naming the route and the name, with a "did you mean"', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('database', () => true)
  app.post('/orders', { config: { health: { requires: ['databse'] } } }, async () => 'ok')
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_HEALTH_UNKNOWN_CHECK',
    message: 'fastify-health: route POST /orders config.health.requires names "databse", which is not a registered check (did you mean "database"?)'
  })
  const other = await buildApp(t)
  other.app.addHealthCheck('event_loop', () => true)
  other.app.get('/x', { config: { health: { requires: ['payments'] } } }, async () => 'ok')
  const err = await other.app.ready().then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof FST_HEALTH_UNKNOWN_CHECK)
  t.equal((err as Error).message, 'fastify-health: route GET /x config.health.requires names "payments", which is not a registered check')
})

t.test('names of any kind: liveness, readiness and startup checks, and a name used in several kinds', async t => {
  const { app } = await buildApp(t)
  const live = scripted()
  const ready = scripted()
  app.addHealthCheck('event_loop', live.fn, { interval: 1000 })
  app.addHealthCheck('shared', live.fn, { interval: 1000 })
  app.addReadyCheck('shared', ready.fn, { interval: 4000 })
  app.addStartupCheck('migrations', () => true, { interval: 1000 })
  app.get('/a', { config: { health: { requires: ['event_loop', 'migrations'] } } }, async () => 'ok')
  app.get('/b', { config: { health: { requires: ['shared'] } } }, async () => 'ok')
  app.get('/c', { config: { health: { requires: ['migration'] } } }, async () => 'ok')
  await t.rejects(async () => { await app.ready() }, { message: /names "migration", which is not a registered check \(did you mean "migrations"\?\)/ }, 'startup names are suggested too')

  const second = await buildApp(t)
  second.app.addHealthCheck('event_loop', live.fn, { interval: 1000 })
  second.app.addHealthCheck('shared', live.fn, { interval: 1000 })
  second.app.addReadyCheck('shared', ready.fn, { interval: 4000 })
  second.app.addStartupCheck('migrations', () => true, { interval: 1000 })
  second.app.get('/a', { config: { health: { requires: ['event_loop', 'migrations'] } } }, async () => 'ok')
  second.app.get('/b', { config: { health: { requires: ['shared'] } } }, async () => 'ok')
  const clock = fakeClock(t)
  await second.app.ready()
  await clock.tickAsync(0)
  t.equal((await second.app.inject('/a')).statusCode, 200, 'liveness and startup checks passing: through')
  t.equal((await second.app.inject('/b')).statusCode, 200, 'both checks named "shared" passing: through')
  ready.set(false)
  await clock.tickAsync(4000)
  const res = await second.app.inject('/b')
  t.equal(res.statusCode, 503, 'the readiness check of that name fails: gated')
  t.equal(res.headers['retry-after'], '4', 'by the failing one\'s schedule')
  live.set(false)
  await clock.tickAsync(1000)
  t.equal((await second.app.inject('/b')).headers['retry-after'], '3', 'both failing: the later of their next runs')
  t.equal((await second.app.inject('/a')).statusCode, 503, 'a liveness check gates too')
})

t.test('a name whose failing checks include an on-demand one retries after the route\'s retryAfter', async t => {
  const { app } = await buildApp(t)
  const both = scripted()
  app.addHealthCheck('warm', both.fn)
  app.addReadyCheck('warm', both.fn, { interval: 1000 })
  app.get('/a', { config: { health: { requires: ['warm'], retryAfter: 7 } } }, async () => 'ok')
  const clock = fakeClock(t)
  await app.ready()
  both.set(false)
  await clock.tickAsync(1000)
  t.equal((await app.inject('/a')).headers['retry-after'], '1', 'only the background one has failed yet')
  await app.inject('/health')
  const res = await app.inject('/a')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '7', 'the on-demand one has no next run')
})

t.test('routes in child contexts are gated; routes without config.health get no hook', async t => {
  const { app } = await buildApp(t)
  const routes: RouteOptions[] = []
  app.addHook('onRoute', route => { routes.push(route) })
  app.addReadyCheck('db', () => false, { interval: 1000 })
  const userHook = async (): Promise<void> => {}
  await app.register(async (child: FastifyInstance) => {
    child.get('/cart', { config: { health: { requires: ['db'] } } }, async () => 'ok')
    child.get('/catalog', async () => 'ok')
    child.get('/one-hook', { onRequest: userHook, config: { health: { requires: ['db'] } } }, async () => 'ok')
    child.get('/hooks', { onRequest: [userHook, userHook], config: { health: { requires: ['db'] } } }, async () => 'ok')
    child.get('/config', { config: { other: true } as object }, async () => 'ok')
  }, { prefix: '/shop' })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  const hooksOf = (method: string, url: string): unknown => routes.find(r => r.method === method && r.url === url)?.onRequest
  t.equal(hooksOf('GET', '/shop/catalog'), undefined, 'no config: no hook at all')
  t.equal(hooksOf('HEAD', '/shop/catalog'), undefined, 'nor on its HEAD route')
  t.equal(hooksOf('GET', '/shop/config'), undefined, 'other config: no hook')
  t.equal((hooksOf('GET', '/shop/cart') as unknown[]).length, 1, 'one hook on the gated route')
  t.equal((hooksOf('HEAD', '/shop/cart') as unknown[]).length, 1, 'and one on its HEAD route')
  const one = hooksOf('GET', '/shop/one-hook') as unknown[]
  t.equal(one.length, 2)
  t.equal(one[0], userHook, 'the route\'s own hook first')
  t.same((hooksOf('GET', '/shop/hooks') as unknown[]).slice(0, 2), [userHook, userHook])
  for (const url of ['/shop/cart', '/shop/one-hook', '/shop/hooks']) {
    t.equal((await app.inject(url)).statusCode, 503, `${url} gated`)
  }
  t.equal((await app.inject({ method: 'HEAD', url: '/shop/cart' })).statusCode, 503, 'HEAD gated')
  t.equal((await app.inject('/shop/catalog')).statusCode, 200)
})

t.test('a required check without an interval is warned about once at ready; background ones are not', async t => {
  const { app, log } = await buildApp(t)
  app.addReadyCheck('flags', () => true)
  app.addReadyCheck('db', () => true, { interval: 1000 })
  app.get('/a', { config: { health: { requires: ['flags', 'db'] } } }, async () => 'ok')
  app.get('/b', { config: { health: { requires: ['flags'] } } }, async () => 'ok')
  await app.ready()
  const warnings = log.lines.filter(l => typeof l.msg === 'string' && l.msg.includes('is required by a route'))
  t.same(warnings.map(l => [l.level, l.msg]), [[40,
    'fastify-health: check "flags" is required by a route (GET /a) but has no "interval": the route sees its status only as fresh as the last probe that ran it; give it an interval']])
})

t.test('a bad config.health is rejected when the route is registered', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => true)
  const cases: Array<[unknown, string]> = [
    [true, 'fastify-health: route GET /r config.health must be an object { requires, retryAfter }, received boolean true'],
    [['db'], 'fastify-health: route GET /r config.health must be an object { requires, retryAfter }, received an array'],
    [{ require: ['db'] }, 'fastify-health: route GET /r config.health has an unknown key "require" (did you mean "requires"?); known keys: requires, retryAfter'],
    [{ requires: [] }, 'fastify-health: route GET /r config.health.requires must be a non-empty array of check names, received an array'],
    [{ requires: 'db' }, 'fastify-health: route GET /r config.health.requires must be a non-empty array of check names, received "db"'],
    [{ requires: ['db', ''] }, 'fastify-health: route GET /r config.health.requires must be a non-empty array of check names, received an array'],
    [{ requires: ['db'], retryAfter: 0 }, 'fastify-health: route GET /r config.health.retryAfter must be a positive finite number of seconds, received number 0'],
    [{ requires: ['db'], retryAfter: '5' }, 'fastify-health: route GET /r config.health.retryAfter must be a positive finite number of seconds, received "5"']
  ]
  for (const [health, message] of cases) {
    t.throws(() => app.get('/r', { config: { health } as never }, async () => 'ok'), { code: 'FST_HEALTH_INVALID_OPTION', message })
  }
  t.throws(() => app.route({ method: ['GET', 'POST'], url: '/m', config: { health: {} } as never, handler: async () => 'ok' }), new FST_HEALTH_INVALID_OPTION('route GET,POST /m config.health.requires must be a non-empty array of check names, received undefined'))
})

t.test('a group-only check can be required, and a skipped check (its dependency failing) gates', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  let db = true
  app.addReadyCheck('db', () => db, { interval: 1000 })
  app.addCheck('stripe', () => true, { groups: ['payments'], interval: 1000 })
  app.addCheck('ledger', () => true, { groups: ['payments'], interval: 1000, dependsOn: ['db'] })
  app.get('/pay', { config: { health: { requires: ['stripe'] } } }, async () => 'ok')
  app.get('/ledger', { config: { health: { requires: ['ledger'] } } }, async () => 'ok')
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  t.equal((await app.inject('/pay')).statusCode, 200, 'a group-only check, passing: through')
  t.equal((await app.inject('/ledger')).statusCode, 200)
  db = false
  await clock.tickAsync(1000)
  const res = await app.inject('/ledger')
  t.equal(res.statusCode, 503, 'skipped while its dependency fails: gated')
  t.equal(res.json().message, 'fastify-health: required check failing: "ledger" (skipped)')
  t.equal((await app.inject('/pay')).statusCode, 200)
})
