import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'

t.test('addHealthCheck and addReadyCheck are decorators of the registering instance', async t => {
  const { app } = await buildApp(t)
  t.type(app.addHealthCheck, 'function')
  t.type(app.addReadyCheck, 'function')
  t.equal(app.addHealthCheck('a', () => true), app, 'returns the instance, for chaining')
  t.equal(app.addReadyCheck('a', () => true), app)
})

t.test('bad check names throw at once with a stable code', async t => {
  const { app } = await buildApp(t)
  for (const method of ['addHealthCheck', 'addReadyCheck'] as const) {
    t.throws(() => app[method]('', () => true), {
      code: 'FST_HEALTH_INVALID_CHECK_NAME',
      message: `fastify-health: ${method}() needs a non-empty string as the check name, received an empty string`
    })
    for (const name of [undefined, 42, null, {}, Symbol('x')]) {
      t.throws(() => app[method](name as unknown as string, () => true), {
        code: 'FST_HEALTH_INVALID_CHECK_NAME',
        message: /fastify-health: .*needs a non-empty string as the check name, received (undefined|number|object|symbol)/
      }, `${method}(${typeof name})`)
    }
  }
})

t.test('a check that is not a function throws at once', async t => {
  const { app } = await buildApp(t)
  for (const check of [true, 'SELECT 1', null, undefined, {}]) {
    t.throws(() => app.addHealthCheck('db', check as unknown as () => boolean), {
      code: 'FST_HEALTH_INVALID_CHECK',
      message: /^fastify-health: addHealthCheck\("db"\) needs a function as the check, received (boolean|string|null|undefined|object)$/
    })
  }
  t.throws(() => app.addReadyCheck('db', null as unknown as () => boolean), { code: 'FST_HEALTH_INVALID_CHECK', message: /addReadyCheck\("db"\)/ })
})

t.test('a duplicate name within a kind throws; across kinds it is allowed', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('database', () => true)
  t.throws(() => app.addHealthCheck('database', () => false), {
    code: 'FST_HEALTH_DUPLICATE_CHECK',
    message: 'fastify-health: addHealthCheck("database"): a health check with that name is already registered'
  })
  t.doesNotThrow(() => app.addReadyCheck('database', () => true))
  t.throws(() => app.addReadyCheck('database', () => true), { code: 'FST_HEALTH_DUPLICATE_CHECK', message: /a ready check/ })
  const res = await app.inject('/health')
  t.equal(res.json().checks.database.status, 'pass', 'the first registration stays')
})

t.test('bad per-check options throw at once and register nothing', async t => {
  const { app } = await buildApp(t)
  const bad: Array<[unknown, RegExp]> = [
    [{ timeout: 0 }, /addHealthCheck\("db"\) option "timeout" must be a positive finite number of milliseconds, received number 0/],
    [{ timeout: -5 }, /option "timeout" must be a positive finite number/],
    [{ timeout: Infinity }, /received number Infinity/],
    [{ timeout: NaN }, /received number NaN/],
    [{ timeout: '100' }, /received "100"/],
    [{ critical: 'no' }, /addHealthCheck\("db"\) option "critical" must be a boolean, received "no"/],
    ['fast', /addHealthCheck\("db"\) options must be an object with the keys timeout, critical, interval, staleAfter, failureThreshold, successThreshold, maxInterval, groups, dependsOn, impact, fleetGrace, received "fast"/],
    [null, /options must be an object .*received null/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => app.addHealthCheck('db', () => true, options as object), { code: 'FST_HEALTH_INVALID_OPTION', message })
  }
  app.addHealthCheck('db', () => true, { timeout: 50, critical: true })
  t.equal((await app.inject('/health')).json().checks.db.status, 'pass', 'the name was still free after the failures')
})

t.test('checks may be added after the server started listening', async t => {
  const { app } = await buildApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  t.equal((await fetch(`${url}/health`)).status, 200)
  app.addHealthCheck('late', () => false)
  const res = await fetch(`${url}/health`)
  t.equal(res.status, 503)
  t.equal(((await res.json()) as { checks: Record<string, { status: string }> }).checks.late.status, 'fail')
})

t.test('the decorators land on the instance that registered the plugin, not inside a child context', async t => {
  const app = Fastify()
  t.after(() => app.close())
  let registrant: FastifyInstance | undefined
  await app.register(async child => {
    await child.register(healthPlugin)
    registrant = child
  })
  t.type(registrant?.addHealthCheck, 'function', 'visible where register() was called')
  t.notOk(app.hasDecorator('addHealthCheck'), 'not leaked to the parent of that context')
  registrant?.addHealthCheck('child-owned', () => true)
  t.equal((await app.inject('/health')).json().checks['child-owned'].status, 'pass')
})

t.test('the plugin declares its name and Fastify version', async t => {
  const meta = (healthPlugin as unknown as Record<symbol, { name: string, fastify: string }>)[Symbol.for('plugin-meta')]
  t.equal(meta.name, 'fastify-health')
  t.equal(meta.fastify, '5.x')
  const { app } = await buildApp(t)
  t.ok(app.hasPlugin('fastify-health'))
})

t.test('registering twice in one context throws FST_HEALTH_ALREADY_REGISTERED', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  const err = await app.register(healthPlugin, { path: '/other', readyPath: '/other/ready', startupPath: '/other/started' }).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof healthPlugin.FST_HEALTH_ALREADY_REGISTERED, 'instanceof the exported constructor')
  t.match(err, {
    code: 'FST_HEALTH_ALREADY_REGISTERED',
    message: 'fastify-health: the plugin is already registered in this context; register it once, or in sibling contexts with different paths'
  })
})

t.test('a child context inherits the registration, so registering there throws too', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  const err = await app.register(async child => { await child.register(healthPlugin, { path: '/c', readyPath: '/c/r', startupPath: '/c/s' }) })
    .then(() => undefined, (e: unknown) => e)
  t.match(err, { code: 'FST_HEALTH_ALREADY_REGISTERED' })
})

t.test('sibling contexts with different paths each get their own checks', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(async child => {
    await child.register(healthPlugin, { path: '/a/health', readyPath: '/a/ready', startupPath: '/a/started' })
    child.addHealthCheck('db', () => true)
  })
  await app.register(async child => {
    await child.register(healthPlugin, { path: '/b/health', readyPath: '/b/ready', startupPath: '/b/started' })
    child.addHealthCheck('db', () => false)
  })
  t.equal((await app.inject('/a/health')).statusCode, 200)
  t.equal((await app.inject('/b/health')).statusCode, 503)
  t.equal((await app.inject('/b/health/db')).statusCode, 503)
  t.notOk(app.hasDecorator('addHealthCheck'), 'the root is untouched')
})

t.test('registering 20,000 checks is linear: add() never copies or scans the checks registered before', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  // Every element an array method or array iterator visits during the adds is counted. A copy or a scan per add
  // (spread, slice, concat, filter, find, map) would visit about N²/2 = 2·10^8 elements; linear work visits a few per add.
  let visited = 0
  const proto = Array.prototype as unknown as Record<string | symbol, (...args: unknown[]) => unknown>
  const names = ['slice', 'concat', 'filter', 'map', 'find', 'findIndex', 'indexOf', 'includes', 'some', 'every', 'forEach', 'reduce', Symbol.iterator]
  const originals = new Map(names.map(name => [name, proto[name]]))
  const originalFrom = Array.from
  for (const name of names) {
    const original = originals.get(name) as (...args: unknown[]) => unknown
    // The spies are put back in `restore()` below, before anything else runs.
    // eslint-disable-next-line no-extend-native
    Object.defineProperty(Array.prototype, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown[], ...args: unknown[]) { visited += this.length; return original.apply(this, args) }
    })
  }
  Array.from = function (this: unknown, ...args: unknown[]) { const out = (originalFrom as (...a: unknown[]) => unknown[]).apply(this, args); visited += out.length; return out } as typeof Array.from
  const restore = (): void => {
    // eslint-disable-next-line no-extend-native
    for (const name of names) Object.defineProperty(Array.prototype, name, { configurable: true, writable: true, value: originals.get(name) })
    Array.from = originalFrom
  }
  const N = 20_000
  try {
    for (let i = 0; i < N; i++) app.addHealthCheck(`check-${i}`, () => true)
  } finally {
    restore()
  }
  t.ok(visited < 50 * N, `visited ${visited} array elements for ${N} adds (quadratic would be ~${N * N / 2})`)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.equal(Object.keys(res.json().checks).length, N, 'every check is in the report')
})
