import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { MAX_ERROR_LENGTH } from '../lib/error-message'

t.test('all checks passing answers 200 healthy with a pass entry per check', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('database', () => true)
  app.addHealthCheck('cache', async () => true)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.status, 'healthy')
  t.same(Object.keys(body.checks), ['database', 'cache'], 'entries in registration order')
  t.equal(body.checks.database.status, 'pass')
  t.equal(body.checks.cache.status, 'pass')
  t.notOk('error' in body.checks.database, 'a passing check has no error field')
  t.notOk('critical' in body.checks.database, 'a critical check does not repeat its default')
})

t.test('one failing check answers 503 unhealthy and names the failure', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('database', () => true)
  app.addHealthCheck('cache', () => false)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const body = res.json()
  t.equal(body.status, 'unhealthy')
  t.equal(body.checks.database.status, 'pass')
  t.equal(body.checks.cache.status, 'fail')
  t.notOk('error' in body.checks.cache)
})

t.test('a check that resolves false fails', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('migrations', async () => false)
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'not_ready')
  t.equal(res.json().checks.migrations.status, 'fail')
})

t.test('a check that throws is an error carrying its message', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('database', () => { throw new Error('Connection timeout') })
  app.addHealthCheck('cache', () => true)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const { checks } = res.json()
  t.same({ status: checks.database.status, error: checks.database.error }, { status: 'error', error: 'Connection timeout' })
  t.equal(checks.cache.status, 'pass', 'the other check is unaffected')
})

t.test('a check that rejects is an error carrying its message', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('api', async () => { throw new TypeError('fetch failed') })
  const entry = (await app.inject('/health')).json().checks.api
  t.equal(entry.status, 'error')
  t.equal(entry.error, 'fetch failed')
})

t.test('an Error with an empty message reports its name', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('empty', () => { throw new RangeError('') })
  t.equal((await app.inject('/health')).json().checks.empty.error, 'RangeError')
})

t.test('a thrown non-Error is reported as String(value)', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('string', () => { throw 'disk on fire' }) // eslint-disable-line no-throw-literal
  app.addHealthCheck('number', async () => { throw 42 }) // eslint-disable-line no-throw-literal
  const { checks } = (await app.inject('/health')).json()
  t.equal(checks.string.error, 'disk on fire')
  t.equal(checks.number.error, '42')
})

t.test('the error text never contains a stack trace', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('stacky', () => {
    const err = new Error('outer failure')
    err.message = 'outer failure\n    at Object.<anonymous> (/srv/app.js:1:1)\n    at Module._compile (node:internal)'
    throw err
  })
  const { error } = (await app.inject('/health')).json().checks.stacky
  t.equal(error, 'outer failure')
  t.notMatch(error, /\n\s+at /)
})

t.test('a non-boolean result is an error that says what came back', async t => {
  const { app } = await buildApp(t)
  const values: Record<string, unknown> = { undef: undefined, one: 1, ok: 'ok', arr: [true], nul: null }
  for (const [name, value] of Object.entries(values)) {
    app.addHealthCheck(name, (() => value) as () => boolean)
    app.addHealthCheck(`${name}-async`, (async () => value) as () => Promise<boolean>)
  }
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const { checks } = res.json()
  const expected: Record<string, string> = { undef: 'undefined', one: 'the number 1', ok: 'the string "ok"', arr: 'an array', nul: 'null' }
  for (const [name, what] of Object.entries(expected)) {
    for (const key of [name, `${name}-async`]) {
      t.equal(checks[key].status, 'error', `${key} is an error`)
      t.equal(checks[key].error, `check returned ${what}; expected a boolean`, `${key} says what it returned`)
    }
  }
})

t.test('each entry carries a settle timestamp and a duration', async t => {
  const { app } = await buildApp(t)
  const clock = fakeClock(t)
  const started = deferred<void>()
  const before = Date.now() / 1000
  app.addHealthCheck('slow', () => { started.resolve(); return new Promise<boolean>(resolve => setTimeout(resolve, 30, true)) })
  const pending = app.inject('/health')
  await started.promise
  await clock.tickAsync(30)
  const body = (await pending).json()
  const entry = body.checks.slow
  t.equal(entry.timestamp, Math.round((before + 0.03) * 1000) / 1000, 'timestamp: when the check settled, 30 ms after it started')
  t.equal(Math.round(entry.timestamp * 1000) / 1000, entry.timestamp, 'millisecond precision')
  t.equal(entry.duration, 30, 'duration: the 30 ms wait')
  t.ok(body.timestamp >= entry.timestamp, 'the report is produced after its checks settle')
})

t.test('error messages are capped at MAX_ERROR_LENGTH', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('huge', () => { throw new Error('x'.repeat(1024 * 1024)) })
  const { error } = (await app.inject('/health')).json().checks.huge
  t.equal(error.length, MAX_ERROR_LENGTH)
  t.ok(error.endsWith('…'))
})
