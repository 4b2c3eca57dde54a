import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'

// Custom groups: views over the one registry of checks. Membership is declared by the checks alone, and a check runs
// once however many groups (and probes) read it.

t.test('a group holds exactly the checks that list it, at its default path', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addHealthCheck('db', () => true)
  app.addReadyCheck('stripe', () => true, { groups: ['payments'] })
  app.addCheck('ledger', () => true, { groups: ['payments'] })
  const res = await app.inject('/health/group/payments')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.json().status, 'healthy')
  t.same(Object.keys(res.json().checks), ['stripe', 'ledger'])
  t.same(Object.keys((await app.inject('/health/ready')).json().checks), ['stripe'], 'readiness has its own check only')
  t.same(Object.keys((await app.inject('/health')).json().checks), ['db'], 'the group-only check is in no probe')
})

t.test('a failing group-only check never fails a probe; its group answers 503', async t => {
  const { app } = await buildApp(t)
  app.health.addGroup('dba', { path: '/ops/db' })
  app.addCheck('replica-lag', () => false, { groups: ['dba'] })
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  const res = await app.inject('/ops/db')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unhealthy', checks: { 'replica-lag': { status: 'fail' } } })
  t.equal((await app.inject('/health/group/dba')).statusCode, 404, 'a path of its own replaces the default one')
})

t.test('a group\'s path or options never change its members', async t => {
  const build = async (groupOptions: object) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(healthPlugin, { groups: { payments: groupOptions } })
    app.addHealthCheck('db', () => false)
    app.addCheck('stripe', () => true, { groups: ['payments'] })
    return app
  }
  const plain = await build({})
  const moved = await build({ path: '/health/ready/payments', exposeDetails: false })
  t.same(Object.keys((await plain.inject('/health/group/payments')).json().checks), ['stripe'])
  t.equal((await moved.inject('/health/ready/payments')).statusCode, 200, 'the moved group still holds stripe alone')
  t.same(Object.keys((await moved.inject('/health/ready/payments')).json()), ['status', 'timestamp'], 'its own details policy')
  t.equal((await moved.inject('/health')).statusCode, 503, 'liveness keeps db')
})

t.test('one check in three groups runs once for three concurrent probes', async t => {
  const { app } = await buildApp(t, { groups: { payments: {}, ops: {} } })
  const gate = deferred<boolean>()
  let calls = 0
  const db = async (): Promise<boolean> => { calls++; return await gate.promise }
  app.addHealthCheck('db', db, { groups: ['payments', 'ops'] })
  const answers = Promise.all(['/health', '/health/group/payments', '/health/group/ops'].map(url => app.inject(url)))
  await new Promise(resolve => setImmediate(resolve))
  gate.resolve(true)
  const res = await answers
  t.same(res.map(r => r.statusCode), [200, 200, 200])
  t.equal(calls, 1)
})

t.test('the same function under one name in liveness and readiness is one check', async t => {
  const { app } = await buildApp(t)
  app.health.addGroup('x')
  const gate = deferred<boolean>()
  let calls = 0
  const db = async (): Promise<boolean> => { calls++; return await gate.promise }
  app.addHealthCheck('db', db)
  app.addReadyCheck('db', db)
  // Different functions under one name, or the same function with other options, stay separate checks.
  let other = 0
  app.addStartupCheck('db', () => { other++; return true })
  app.addCheck('db', db, { groups: ['x'], timeout: 50 })
  await app.ready()
  const both = Promise.all([app.inject('/health'), app.inject('/health/ready')])
  await new Promise(resolve => setImmediate(resolve))
  gate.resolve(true)
  t.same((await both).map(r => r.statusCode), [200, 200])
  t.equal(calls, 1, 'one run for a liveness and a readiness probe arriving together')
  await app.inject('/health/group/x')
  t.equal(calls, 2, 'the same function with other options is a check of its own')

  await app.inject('/health/started')
  t.equal(other, 1, 'a different function under the same name runs on its own')
})

t.test('a check in several groups has one background schedule', async t => {
  const { app } = await buildApp(t, { groups: { payments: {}, ops: {} } })
  let calls = 0
  app.addReadyCheck('db', () => { calls++; return true }, { interval: 1000, groups: ['payments', 'ops'] })
  const clock = fakeClock(t)
  await app.ready()
  t.equal(calls, 1, 'the first run when the app is ready')
  await clock.tickAsync(5000)
  t.equal(calls, 6, 'once per interval, not once per group')
  for (const url of ['/health/ready', '/health/group/payments', '/health/group/ops']) {
    t.equal((await app.inject(url)).statusCode, 200, url)
  }
  t.equal(calls, 6, 'probes read the background result')
})

t.test('a status change is reported once, naming the check\'s groups', async t => {
  const events: unknown[] = []
  const { app } = await buildApp(t, { groups: { payments: {} }, onStatusChange: event => { events.push(event) } })
  let ok = true
  const db = (): boolean => ok
  app.addHealthCheck('db', db, { groups: ['payments'] })
  app.addReadyCheck('db', db, { groups: ['payments'] })
  await app.inject('/health')
  ok = false
  await Promise.all([app.inject('/health'), app.inject('/health/ready'), app.inject('/health/group/payments')])
  const changes = events.filter((e: any) => e.name === 'db' && e.status === 'fail')
  t.equal(changes.length, 1)
  t.match(changes[0], { kind: 'health', groups: ['health', 'payments', 'ready'], previous: 'pass', status: 'fail' })
})

t.test('a group route has per-check routes, ?exclude, ?verbose, health+json and HEAD', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addCheck('stripe', () => false, { groups: ['payments'] })
  app.addCheck('ledger', () => ({ status: 'warn', output: 'slow' }), { groups: ['payments'] })
  const single = await app.inject('/health/group/payments/ledger')
  t.equal(single.statusCode, 200)
  t.same(Object.keys(single.json().checks), ['ledger'])
  t.equal((await app.inject('/health/group/payments/missing')).statusCode, 404)
  t.equal((await app.inject('/health/group/payments?exclude=stripe')).statusCode, 200)
  const verbose = await app.inject('/health/group/payments?verbose')
  t.equal(verbose.body, '[-]stripe failed: fail\n[+]ledger warn: slow\npayments check failed\n')
  const ietf = await app.inject({ url: '/health/group/payments', headers: { accept: 'application/health+json' } })
  t.equal(ietf.headers['content-type'], 'application/health+json')
  t.match(ietf.json(), { status: 'fail', checks: { stripe: [{ status: 'fail' }], ledger: [{ status: 'warn' }] } })
  const head = await app.inject({ method: 'HEAD', url: '/health/group/payments' })
  t.equal(head.statusCode, 503)
  t.equal(head.body, '')
})

t.test('a group has no overlays of the probes: shutting down drains readiness, not a group', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  app.health.setReady(false, 'maintenance')
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  t.equal((await app.inject('/health/group/payments')).statusCode, 200)
})

t.test('app.health.run() answers for every built-in and custom group', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addHealthCheck('live', () => true)
  app.addReadyCheck('db', () => false)
  app.addStartupCheck('warm', () => true)
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  t.match(await app.health.run('health'), { status: 'healthy', checks: { live: { status: 'pass' } } })
  t.match(await app.health.run('ready'), { status: 'not_ready', checks: { db: { status: 'fail' } } })
  t.match(await app.health.run('startup'), { status: 'started', checks: { warm: { status: 'pass' } } })
  t.match(await app.health.run('payments'), { status: 'healthy', checks: { stripe: { status: 'pass' } } })
  await t.rejects(app.health.run('nope'), { code: 'FST_HEALTH_UNKNOWN_GROUP', message: 'fastify-health: app.health.run() names group "nope", which is not declared' })
  await t.rejects(app.health.run(42 as never), { code: 'FST_HEALTH_UNKNOWN_GROUP' })
})

t.test('an undeclared group fails app.ready() with a suggestion', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { groups: { payments: {} } })
  app.addCheck('stripe', () => true, { groups: ['payment'] })
  await t.rejects(async () => { await app.ready() }, {
    code: 'FST_HEALTH_UNKNOWN_GROUP',
    message: 'fastify-health: addCheck("stripe") lists group "payment", which is not declared (did you mean "payments"?); declare it in the plugin option "groups" or with app.health.addGroup()'
  })
})

t.test('an undeclared group without a close name gets no suggestion', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  app.addHealthCheck('db', () => true, { groups: ['zzz'] })
  await t.rejects(async () => { await app.ready() }, { message: /lists group "zzz", which is not declared; declare it/ })
})

t.test('a group declared after its checks adopts them', async t => {
  const { app } = await buildApp(t)
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  app.addCheck('adyen', () => true, { groups: ['payments'] })
  app.health.addGroup('payments')
  t.same(Object.keys((await app.inject('/health/group/payments')).json().checks), ['stripe', 'adyen'])
})

t.test('bad groups and group options are refused at once', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  t.throws(() => app.addCheck('x', () => true, {} as never), { code: 'FST_HEALTH_INVALID_OPTION', message: 'fastify-health: addCheck("x") option "groups" must be a non-empty array of names, received undefined' })
  t.throws(() => app.addCheck('x', () => true, { groups: [] }), { message: /option "groups" must be a non-empty array of names, received an array/ })
  t.throws(() => app.addHealthCheck('x', () => true, { groups: [''] }), { message: /addHealthCheck\("x"\) option "groups" must be an array of names/ })
  t.throws(() => app.addHealthCheck('x', () => true, { groups: ['a b'] }), { message: /option "groups" must be group names of letters, digits, "_", "-" and ".", received "a b"/ })
  t.throws(() => app.addHealthCheck('x', () => true, { groups: ['ready'] }), {
    code: 'FST_HEALTH_UNKNOWN_GROUP',
    message: 'fastify-health: addHealthCheck("x") option "groups" lists the built-in group "ready"; register the check with addReadyCheck() for it'
  })
  t.throws(() => app.health.addGroup('payments'), { code: 'FST_HEALTH_UNKNOWN_GROUP', message: 'fastify-health: group "payments" is declared twice' })
  t.throws(() => app.health.addGroup('ready'), { message: 'fastify-health: group "ready" is declared twice (it is a built-in group)' })
  t.throws(() => app.health.addGroup('a/b'), { code: 'FST_HEALTH_INVALID_OPTION', message: /app.health.addGroup\(\): group name must be a string of letters, digits/ })
  t.throws(() => app.health.addGroup('ops', 'x' as never), { message: /group "ops" must be an object \{ path, exposeDetails \}, received "x"/ })
  t.throws(() => app.health.addGroup('ops', { pth: '/x' } as never), { message: /group "ops" has an unknown key "pth" \(did you mean "path"\?\)/ })
  t.throws(() => app.health.addGroup('ops', { path: 'ops' }), { message: /group "ops" option "path" must be a static path/ })
  t.throws(() => app.health.addGroup('ops', { exposeDetails: 'yes' as never }), { message: /group "ops" option "exposeDetails" must be a boolean or a function/ })
  t.throws(() => app.health.addGroup('ops', { path: '/health/group/payments' }), {
    code: 'FST_HEALTH_INVALID_OPTION',
    message: 'fastify-health: the route of group "ops" would be GET /health/group/payments, which the app already has; choose another path'
  })
  // A check whose name a group already holds is refused before it joins any group.
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  t.throws(() => app.addHealthCheck('stripe', () => true, { groups: ['payments'] }), {
    code: 'FST_HEALTH_DUPLICATE_CHECK',
    message: 'fastify-health: addHealthCheck("stripe"): group "payments" already has a check with that name is already registered'
  })
  t.same(Object.keys((await app.inject('/health')).json().checks), [], 'not in liveness either')
  await app.ready()
  t.throws(() => app.health.addGroup('late'), { code: 'FST_HEALTH_UNKNOWN_GROUP', message: /addGroup\("late"\) was called after the app was ready/ })
})

t.test('plugin option groups is validated', async t => {
  for (const [groups, message] of [
    ['x', /option "groups" must be an object \{ \[name\]: \{ path, exposeDetails \} \}, received "x"/],
    [{ 'bad name': {} }, /option "groups": group name must be a string of letters/],
    [{ ok: { path: '/x', extra: 1 } }, /option "groups": group "ok" has an unknown key "extra"/]
  ] as const) {
    const app = Fastify()
    t.teardown(() => app.close())
    app.register(healthPlugin, { groups } as never)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HEALTH_INVALID_OPTION', message })
  }
})

t.test('a prefix applies to group paths, default and own', async t => {
  const { app } = await buildApp(t, { prefix: '/internal', groups: { payments: {}, ops: { path: '/ops' } } })
  app.addCheck('stripe', () => true, { groups: ['payments', 'ops'] })
  t.equal((await app.inject('/internal/health/group/payments')).statusCode, 200)
  t.equal((await app.inject('/internal/ops')).statusCode, 200)
})

t.test('a group under a root liveness path', async t => {
  const { app } = await buildApp(t, { path: '/', groups: { payments: {} } })
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  t.equal((await app.inject('/group/payments')).statusCode, 200)
})

t.test('the group routes carry the group name in healthProbe', async t => {
  const seen: unknown[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRoute', route => { if (route.method === 'GET') seen.push([route.url, route.config?.healthProbe]) })
  await app.register(healthPlugin, { groups: { payments: {} } })
  t.same(seen.filter(([url]: any) => url.includes('group')), [
    ['/health/group/payments', 'payments'],
    ['/health/group/payments/:name', 'payments']
  ])
})

t.test('a group with a details policy of its own', async t => {
  const { app } = await buildApp(t, { exposeDetails: false, groups: { payments: { exposeDetails: request => request.headers['x-team'] === 'payments' } } })
  app.addCheck('stripe', () => false, { groups: ['payments'] })
  t.same(Object.keys((await app.inject('/health/group/payments')).json()), ['status', 'timestamp'])
  const shown = await app.inject({ url: '/health/group/payments', headers: { 'x-team': 'payments' } })
  t.same(Object.keys(shown.json().checks), ['stripe'])
  t.equal((await app.inject({ url: '/health/group/payments/stripe', headers: { 'x-team': 'payments' } })).statusCode, 503)
  t.equal((await app.inject('/health/group/payments/stripe')).statusCode, 404, 'hidden: no per-check route')
})

t.test('a group check asking for its own group synchronously gets an error instead of recursing', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addCheck('loop', async () => { await app.health.run('payments'); return true }, { groups: ['payments'] })
  const report = await app.health.run('payments')
  t.match(report.checks?.loop, { status: 'error', error: /a check of group "payments" asked for a report of that group while that report was starting/ })
})

t.test('the same check in two probes, listing a group declared later, joins it once', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  const db = (): boolean => { calls++; return true }
  app.addHealthCheck('db', db, { groups: ['payments'] })
  app.addReadyCheck('db', db, { groups: ['payments'] })
  app.health.addGroup('payments')
  const res = await app.inject('/health/group/payments')
  t.same(Object.keys(res.json().checks), ['db'])
  t.equal(calls, 1)
})
