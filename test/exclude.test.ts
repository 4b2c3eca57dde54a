import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'

t.test('?exclude=name leaves the check out: not run, not counted, not listed', async t => {
  const { app } = await buildApp(t)
  const calls: Record<string, number> = { db: 0, search: 0 }
  app.addHealthCheck('db', () => { calls.db++; return true })
  app.addHealthCheck('search', () => { calls.search++; return false })
  const res = await app.inject('/health?exclude=search')
  t.equal(res.statusCode, 200, 'the failing excluded check does not fail the probe')
  t.same(Object.keys(res.json().checks), ['db'])
  t.same(calls, { db: 1, search: 0 })
  t.equal((await app.inject('/health')).statusCode, 503, 'without the exclusion it fails')
})

t.test('?exclude is repeatable and applies to readiness and startup too', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addReadyCheck('a', () => { calls++; return false })
  app.addReadyCheck('b', () => { calls++; return false })
  app.addReadyCheck('c', () => true)
  app.addStartupCheck('slow-start', () => false)
  app.addStartupCheck('ok-start', () => true)
  await app.ready()
  const res = await app.inject('/health/ready?exclude=a&exclude=b')
  t.equal(calls, 0)
  t.same(Object.keys(res.json().checks).filter(name => name !== 'startup'), ['c'])
  const startup = await app.inject('/health/started?exclude=slow-start')
  t.equal(startup.statusCode, 200)
  t.same(Object.keys(startup.json().checks), ['ok-start'])
})

t.test('unknown names are ignored; names are matched exactly after URL decoding', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('primary db', () => false)
  app.addHealthCheck('ok', () => true)
  const unknown = await app.inject('/health?exclude=nope&exclude=PRIMARY%20DB')
  t.equal(unknown.statusCode, 503)
  t.same(Object.keys(unknown.json().checks), ['primary db', 'ok'])
  const excluded = await app.inject('/health?exclude=primary%20db')
  t.equal(excluded.statusCode, 200)
  t.same(Object.keys(excluded.json().checks), ['ok'])
})

t.test('an empty ?exclude= excludes nothing', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => false)
  t.equal((await app.inject('/health?exclude=')).statusCode, 503)
})

t.test('excluding every check answers like no checks: 200 with empty checks', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => false)
  const res = await app.inject('/health?exclude=a')
  t.equal(res.statusCode, 200)
  t.same(res.json().checks, {})
})

t.test('a check\'s run in flight and cached result answer every selection', async t => {
  const { app } = await buildApp(t, { cacheTtl: 60_000 })
  const gate = deferred()
  let dbCalls = 0
  let searchCalls = 0
  let searchOk = true
  app.addHealthCheck('db', () => { dbCalls++; return gate.promise })
  app.addHealthCheck('search', () => { searchCalls++; return searchOk })

  // Requests with and without exclusions share each check's run in flight.
  const excluded = app.inject('/health?exclude=search')
  const full = app.inject('/health')
  const excludedAgain = app.inject('/health?exclude=search')
  gate.resolve(true)
  const [a, b, c] = await Promise.all([excluded, full, excludedAgain])
  t.same(Object.keys(a.json().checks), ['db'])
  t.same(Object.keys(b.json().checks), ['db', 'search'], 'the full answer has every entry')
  t.same(Object.keys(c.json().checks), ['db'])
  t.equal(dbCalls, 1, 'one run of db for all three requests')
  t.equal(searchCalls, 1)

  // Within the TTL, however the requests are shaped, no check runs again.
  searchOk = false
  for (let i = 0; i < 300; i++) {
    const res = await app.inject(`/health?exclude=other${i}&exclude=${i % 2 === 0 ? 'search' : 'nothing'}`)
    t.equal(res.statusCode, 200)
  }
  const cachedFull = await app.inject('/health')
  t.equal(cachedFull.statusCode, 200, 'the cached results, not a new run')
  t.same(Object.keys(cachedFull.json().checks), ['db', 'search'])
  t.equal(searchCalls, 1, 'search ran once in 302 requests with different exclusion sets')
  t.equal(dbCalls, 1)
})

t.test('?exclude is ignored where the details are hidden, with GET and HEAD', async t => {
  const { app } = await buildApp(t, { exposeDetails: false })
  app.addHealthCheck('a', () => false)
  app.addHealthCheck('b', () => true)
  // A caller who may not see the names must not change the answer by guessing one.
  const head = await app.inject({ method: 'HEAD', url: '/health?exclude=a' })
  t.equal(head.statusCode, 503)
  const res = await app.inject('/health?exclude=a')
  t.equal(res.statusCode, 503)
  t.same(Object.keys(res.json()), ['status', 'timestamp'], 'no checks listed')
  t.equal(res.json().status, 'unhealthy')
})

t.test('?exclude follows a per-request details policy', async t => {
  let allow = false
  const { app } = await buildApp(t, { exposeDetails: () => allow })
  app.addReadyCheck('a', () => false)
  t.equal((await app.inject('/health/ready?exclude=a')).statusCode, 503, 'hidden: the exclusion is ignored')
  allow = true
  t.equal((await app.inject('/health/ready?exclude=a')).statusCode, 200, 'shown: the exclusion applies')
})
