import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'

// dependsOn: a check whose dependency is not passing is not called, and reads `skipped` with the reason. One alarm
// for one root cause, and no load on a dependency's dependants while it is down.

t.test('a dependant is skipped while its dependency fails, and called again once it passes', async t => {
  const { app } = await buildApp(t)
  let dbOk = false
  let queueCalls = 0
  app.addReadyCheck('db', () => dbOk)
  app.addReadyCheck('queue', () => { queueCalls++; return true }, { dependsOn: ['db'] })
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  const { queue } = res.json().checks
  t.match(queue, { status: 'skipped', error: 'skipped: depends on db (fail)', duration: 0 })
  t.same(Object.keys(queue), ['status', 'timestamp', 'duration', 'error'])
  t.equal(queueCalls, 0, 'not called')
  dbOk = true
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  t.equal(queueCalls, 1)
})

t.test('warn passes; error and skipped do not; chains skip down the line', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => ({ status: 'warn', output: 'slow' }))
  app.addHealthCheck('cache', () => true, { dependsOn: ['db'] })
  app.addHealthCheck('api', () => true, { dependsOn: ['cache'] })
  t.same(Object.values((await app.inject('/health')).json().checks).map((e: any) => e.status), ['warn', 'pass', 'pass'], 'warn passes')
  const appErr = Fastify()
  t.teardown(() => appErr.close())
  await appErr.register(healthPlugin)
  appErr.addHealthCheck('db', () => { throw new Error('down') })
  appErr.addHealthCheck('cache', () => true, { dependsOn: ['db'] })
  appErr.addHealthCheck('api', () => true, { dependsOn: ['cache'] })
  appErr.addHealthCheck('optional', () => true, { dependsOn: ['db', 'cache'], critical: false })
  const res = await appErr.inject('/health')
  const checks = res.json().checks
  t.match(checks.db, { status: 'error', error: 'down' })
  t.equal(checks.cache.error, 'skipped: depends on db (error)')
  t.equal(checks.api.error, 'skipped: depends on cache (skipped)')
  t.match(checks.optional, { status: 'skipped', error: 'skipped: depends on db (error), cache (skipped)', critical: false })
  const verbose = await appErr.inject('/health?verbose')
  t.equal(verbose.body, '[-]db failed: down\n[-]cache skipped: depends on db (error)\n[-]api skipped: depends on cache (skipped)\n[-]optional skipped: depends on db (error), cache (skipped) (non-critical)\nhealth check failed\n')
  const ietf = await appErr.inject({ url: '/health', headers: { accept: 'application/health+json' } })
  t.match(ietf.json().checks.cache, [{ status: 'fail', output: 'skipped: depends on db (error)' }])
})

t.test('a skipped critical check fails its report; a skipped non-critical one does not', async t => {
  const { app } = await buildApp(t, { groups: { a: {}, b: {} } })
  app.addCheck('db', () => false, { groups: ['b'], critical: false })
  app.addCheck('critical', () => true, { groups: ['a'], dependsOn: ['db'] })
  app.addCheck('optional', () => true, { groups: ['b'], dependsOn: ['db'], critical: false })
  t.equal((await app.inject('/health/group/a')).statusCode, 503)
  t.equal((await app.inject('/health/group/b')).statusCode, 200)
})

t.test('a dependency outside the group is evaluated for its dependants and not shown', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  let dbCalls = 0
  app.addReadyCheck('db', () => { dbCalls++; return false })
  app.addCheck('stripe', () => true, { groups: ['payments'], dependsOn: ['db'] })
  const res = await app.inject('/health/group/payments')
  t.equal(res.statusCode, 503)
  t.same(Object.keys(res.json().checks), ['stripe'])
  t.equal(dbCalls, 1)
})

t.test('skips neither count towards thresholds nor fire status changes of their own', async t => {
  const events: StatusChangeEvent[] = []
  const { app } = await buildApp(t, { onStatusChange: event => { events.push(event) } })
  let dbOk = true
  let queueOk = true
  app.addReadyCheck('db', () => dbOk)
  app.addReadyCheck('queue', () => queueOk, { dependsOn: ['db'], failureThreshold: 2 })
  await app.inject('/health/ready')
  queueOk = false
  t.equal((await app.inject('/health/ready')).json().checks.queue.status, 'pass', 'one failure under failureThreshold 2')
  dbOk = false
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/health/ready')).json().checks.queue.status, 'skipped')
  dbOk = true
  t.equal((await app.inject('/health/ready')).json().checks.queue.status, 'fail', 'the second failure: the skips in between did not reset the streak')
  t.same(events.filter(e => e.name === 'queue').map(e => [e.previous, e.status]), [[null, 'pass'], ['pass', 'fail']])
})

t.test('dependants share their dependency\'s run, and their own', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  const gate = deferred<boolean>()
  let dbCalls = 0
  let apiCalls = 0
  app.addReadyCheck('db', async () => { dbCalls++; return await gate.promise })
  const api = async (): Promise<boolean> => { apiCalls++; return true }
  app.addReadyCheck('api', api, { dependsOn: ['db'], groups: ['payments'] })
  app.addCheck('ledger', () => true, { dependsOn: ['db'], groups: ['payments'] })
  const answers = Promise.all([app.inject('/health/ready'), app.inject('/health/group/payments'), app.inject('/health/ready/api')])
  await new Promise(resolve => setImmediate(resolve))
  gate.resolve(true)
  t.same((await answers).map(r => r.statusCode), [200, 200, 200])
  t.equal(dbCalls, 1)
  t.equal(apiCalls, 1)
})

t.test('with a cache, a cached dependant answers without asking its dependency again', async t => {
  const { app } = await buildApp(t, { cacheTtl: 1000 })
  let dbCalls = 0
  let apiCalls = 0
  app.addHealthCheck('db', () => { dbCalls++; return true })
  app.addHealthCheck('api', () => { apiCalls++; return true }, { dependsOn: ['db'] })
  await app.ready()
  const clock = fakeClock(t)
  await app.inject('/health/api')
  // Another selection, so that its own cached outcome does not answer: the checks' cached results do.
  t.equal((await app.inject('/health')).statusCode, 200)
  t.same([dbCalls, apiCalls], [1, 1])
  await clock.tickAsync(1001)
  await app.inject('/health/api')
  t.same([dbCalls, apiCalls], [2, 2])
})

t.test('background dependants read their dependencies\' latest results', async t => {
  const { app } = await buildApp(t)
  let dbOk = true
  let apiCalls = 0
  app.addReadyCheck('db', () => dbOk, { interval: 1000 })
  app.addReadyCheck('api', () => { apiCalls++; return true }, { interval: 1000, dependsOn: ['db'] })
  const clock = fakeClock(t)
  await app.ready()
  t.equal(apiCalls, 1)
  dbOk = false
  await clock.tickAsync(1000)
  const res = await app.inject('/health/ready')
  t.match(res.json().checks, { db: { status: 'fail' }, api: { status: 'skipped', error: 'skipped: depends on db (fail)' } })
  t.equal(apiCalls, 1, 'not called on its tick while db fails')
  dbOk = true
  await clock.tickAsync(1000)
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  t.equal(apiCalls, 2)
})

t.test('a background dependant waits for an async dependency on its tick', async t => {
  const { app } = await buildApp(t)
  let apiCalls = 0
  app.addReadyCheck('db', async () => await Promise.resolve(true))
  app.addReadyCheck('api', () => { apiCalls++; return true }, { interval: 1000, dependsOn: ['db'] })
  await app.ready()
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  t.equal(apiCalls, 1)
})

t.test('a background dependant whose dependency fails before its first tick reads skipped', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', async () => await Promise.resolve(false))
  app.addReadyCheck('api', () => true, { interval: 1000, dependsOn: ['db'] })
  const res = await app.inject('/health/ready')
  t.equal(res.json().checks.api.status, 'skipped')
})

t.test('dependency errors fail app.ready(), naming the check', async t => {
  const cases: Array<[(app: ReturnType<typeof Fastify>) => void, RegExp | string]> = [
    [app => { app.addHealthCheck('api', () => true, { dependsOn: ['dbb'] }); app.addReadyCheck('db', () => true) },
      'fastify-health: check "api" (health) option "dependsOn" names "dbb", which no check has (did you mean "db"?)'],
    [app => { app.addHealthCheck('api', () => true, { dependsOn: ['zzzzzz'] }) },
      'fastify-health: check "api" (health) option "dependsOn" names "zzzzzz", which no check has'],
    [app => { app.addHealthCheck('db', () => true); app.addReadyCheck('db', () => true); app.addHealthCheck('api', () => true, { dependsOn: ['db'] }) },
      'fastify-health: check "api" (health) option "dependsOn" names "db", which names 2 different checks (health and ready); give them different names'],
    [app => { app.addHealthCheck('a', () => true, { dependsOn: ['b'] }); app.addHealthCheck('b', () => true, { dependsOn: ['c'] }); app.addHealthCheck('c', () => true, { dependsOn: ['a'] }) },
      'fastify-health: checks depend on each other in a cycle: a → b → c → a'],
    [app => { app.addHealthCheck('self', () => true, { dependsOn: ['self'] }) },
      'fastify-health: checks depend on each other in a cycle: self → self']
  ]
  for (const [setup, message] of cases) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(healthPlugin)
    setup(app)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HEALTH_INVALID_DEPENDENCY', message })
  }
})

t.test('a check added after ready has its dependencies resolved at once', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => false)
  await app.ready()
  t.throws(() => app.addHealthCheck('late', () => true, { dependsOn: ['nope'] }), { code: 'FST_HEALTH_INVALID_DEPENDENCY' })
  app.addHealthCheck('api', () => true, { dependsOn: ['db'] })
  t.equal((await app.inject('/health')).json().checks.api.status, 'skipped')
})

t.test('dependsOn is validated', async t => {
  const { app } = await buildApp(t)
  t.throws(() => app.addHealthCheck('x', () => true, { dependsOn: 'db' as never }), { code: 'FST_HEALTH_INVALID_OPTION', message: 'fastify-health: addHealthCheck("x") option "dependsOn" must be an array of names, received "db"' })
  t.throws(() => app.addHealthCheck('x', () => true, { dependsOn: [1] as never }), { message: /option "dependsOn" must be an array of names, received an array/ })
})

t.test('with a cache, a skipped dependant is evaluated again once its dependency passes', async t => {
  const { app } = await buildApp(t, { cacheTtl: 1000 })
  let dbOk = false
  let apiCalls = 0
  app.addHealthCheck('db', () => dbOk)
  app.addHealthCheck('api', () => { apiCalls++; return true }, { dependsOn: ['db'] })
  await app.ready()
  const clock = fakeClock(t)
  t.equal((await app.inject('/health/api')).json().checks.api.status, 'skipped')
  dbOk = true
  await clock.tickAsync(1001)
  t.equal((await app.inject('/health/api')).json().checks.api.status, 'pass', 'not held as skipped by the cache')
  t.equal(apiCalls, 1)
})

t.test('a background dependant waiting on its dependency when the app closes does not run', async t => {
  const app = Fastify()
  await app.register(healthPlugin)
  let apiCalls = 0
  app.addReadyCheck('db', async () => await new Promise<boolean>(() => {}))
  app.addReadyCheck('api', () => { apiCalls++; return true }, { interval: 1000, dependsOn: ['db'] })
  await app.ready()
  await app.close()
  await new Promise(resolve => setImmediate(resolve))
  t.equal(apiCalls, 0, 'the cancelled dependency\'s result arrives after closing began: no run')
})
