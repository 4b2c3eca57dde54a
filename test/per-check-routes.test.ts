import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'

const path = (base: string, name: string): string => `${base}/${encodeURIComponent(name)}`

t.test('GET {path}/{name} answers for that check alone, by its own status', async t => {
  const { app } = await buildApp(t)
  const calls: Record<string, number> = {}
  const counted = (name: string, result: boolean) => () => { calls[name] = (calls[name] ?? 0) + 1; return result }
  app.addHealthCheck('db', counted('db', true))
  app.addHealthCheck('cache', counted('cache', false))
  app.addReadyCheck('queue', counted('queue', true))
  app.addStartupCheck('migrations', counted('migrations', false))

  const pass = await app.inject(path('/health', 'db'))
  t.equal(pass.statusCode, 200)
  t.equal(pass.headers['cache-control'], 'no-store')
  t.match(pass.json(), { status: 'healthy', checks: { db: { status: 'pass' } } })
  t.same(Object.keys(pass.json().checks), ['db'], 'only that entry')
  const { migrations: _startupRuns, ...others } = calls
  t.same(others, { db: 1 }, 'only that check ran')

  const fail = await app.inject(path('/health', 'cache'))
  t.equal(fail.statusCode, 503)
  t.match(fail.json(), { status: 'unhealthy', checks: { cache: { status: 'fail' } } })
  t.same(Object.keys(fail.json().checks), ['cache'])

  const ready = await app.inject(path('/health/ready', 'queue'))
  t.equal(ready.statusCode, 200)
  t.match(ready.json(), { status: 'ready', checks: { queue: { status: 'pass' } } })

  const startupRuns = calls.migrations
  const startup = await app.inject(path('/health/started', 'migrations'))
  t.equal(startup.statusCode, 503)
  t.match(startup.json(), { status: 'starting', checks: { migrations: { status: 'fail' } } })
  t.equal(calls.migrations, startupRuns + 1, 'the startup check ran once more')
  delete calls.migrations
  t.same(calls, { db: 1, cache: 1, queue: 1 })
})

t.test('a non-critical check answers by its own status', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('optional', () => false, { critical: false })
  app.addHealthCheck('fine', () => true)
  t.equal((await app.inject('/health')).statusCode, 200, 'the probe ignores it')
  const res = await app.inject('/health/optional')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unhealthy', checks: { optional: { status: 'fail', critical: false } } })
})

t.test('names are URL-decoded: spaces, "/" as %2F, unicode', async t => {
  const { app } = await buildApp(t)
  const names = ['primary db', 'a/b', 'données ✓', 'emoji 🚀', '100%']
  for (const name of names) app.addHealthCheck(name, () => true)
  for (const name of names) {
    const res = await app.inject(path('/health', name))
    t.equal(res.statusCode, 200, name)
    t.same(Object.keys(res.json().checks), [name], `${name} under its exact key`)
  }
})

t.test('unknown names and hidden details answer 404 JSON, and run nothing', async t => {
  let calls = 0
  let allow = true
  const { app } = await buildApp(t, { exposeDetails: () => allow })
  app.addHealthCheck('db', () => { calls++; return true })
  const unknown = await app.inject('/health/nope')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.headers['content-type'], /^application\/json/)
  t.match(unknown.json(), { statusCode: 404, error: 'Not Found' })
  t.notMatch(unknown.body, /db/, 'names are not listed')

  allow = false
  const hidden = await app.inject('/health/db')
  t.equal(hidden.statusCode, 404, 'the policy says no')
  t.same(hidden.json(), { statusCode: 404, error: 'Not Found', message: 'Route GET:/health/db not found' }, 'the same answer as an unknown name')
  t.equal(calls, 0)

  allow = true
  t.equal((await app.inject('/health/db')).statusCode, 200)
  t.equal(calls, 1)
})

t.test('exposeDetails: false hides every per-check route', async t => {
  const { app } = await buildApp(t, { exposeDetails: false })
  app.addHealthCheck('db', () => true)
  app.addReadyCheck('queue', () => true)
  t.equal((await app.inject('/health/db')).statusCode, 404)
  t.equal((await app.inject('/health/ready/queue')).statusCode, 404)
})

t.test('HEAD answers a per-check route with the status and no body', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('up', () => true)
  app.addHealthCheck('down', () => false)
  const up = await app.inject({ method: 'HEAD', url: '/health/up' })
  t.equal(up.statusCode, 200)
  t.equal(up.body, '')
  const down = await app.inject({ method: 'HEAD', url: '/health/down' })
  t.equal(down.statusCode, 503)
  t.equal(down.body, '')
})

t.test('static routes win: a liveness check named "ready" or "started" is not reachable there', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('ready', () => { calls++; return false })
  app.addHealthCheck('started', () => { calls++; return false })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ready', 'the readiness probe answered')
  const started = await app.inject('/health/started')
  t.equal(started.statusCode, 200)
  t.equal(started.json().status, 'started')
  t.equal(calls, 0)
})

t.test('a per-check run shares nothing with the full run', async t => {
  const { app } = await buildApp(t, { cacheTtl: 1000 })
  const gate = deferred()
  let calls = 0
  app.addHealthCheck('slow', () => { calls++; return gate.promise })
  app.addHealthCheck('fast', () => true)
  const full = app.inject('/health')
  const single = app.inject('/health/fast')
  t.equal((await single).statusCode, 200, 'the single check is not held up by the full run')
  gate.resolve(true)
  t.equal((await full).statusCode, 200)
  t.equal(calls, 1)
})

t.test('a per-check route of a background check reads its latest result', async t => {
  const { app } = await buildApp(t, { interval: 1000 })
  let calls = 0
  app.addReadyCheck('bg', () => { calls++; return true })
  const clock = fakeClock(t)
  await app.ready()
  const first = await app.inject('/health/ready/bg')
  t.equal(first.statusCode, 200)
  const before = calls
  await app.inject('/health/ready/bg')
  t.equal(calls, before, 'no extra run between ticks')
  await clock.tickAsync(1000)
  t.equal(calls, before + 1, 'the tick ran it')
})

t.test('with path "/", no parametric route takes the app\'s one-segment paths', async t => {
  const { app } = await buildApp(t, { path: '/' })
  app.addHealthCheck('db', () => true)
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal((await app.inject('/db')).statusCode, 404)
})
