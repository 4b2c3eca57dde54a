import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { MAX_ERROR_LENGTH } from '../lib/error-message'
import { HealthReportSchema } from '../lib/formats/schema'
import type { HealthCheckFn } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred, settled, watchProcess } from './helpers/async'

const TIMEOUT = 50

t.test('hostile checks: right status, useful message, no crash, no 500, no effect on the other checks', async t => {
  const seen = watchProcess(t)
  const { app, log } = await buildApp(t, { timeout: TIMEOUT })

  const late = deferred()
  let lateHandle: Promise<boolean> | undefined
  const { proxy: revoked, revoke } = Proxy.revocable({}, {})
  revoke()
  class HostileError extends Error {
    override get message (): string { throw new Error('message getter') }
  }
  HostileError.prototype.name = 'HostileError'
  const getterError = new Error('hidden')
  Object.defineProperty(getterError, 'message', { get () { throw new Error('message getter') } })

  // [name, check, expected status, expected error (string: exact; RegExp: match; undefined: no error field)]
  const cases: Array<[string, HealthCheckFn, 'pass' | 'fail' | 'error', string | RegExp | undefined]> = [
    ['sync-throw', () => { throw new Error('sync boom') }, 'error', 'sync boom'],
    ['throw-string', () => { throw 'a string' }, 'error', 'a string'], // eslint-disable-line no-throw-literal
    ['throw-empty-string', () => { throw '' }, 'error', 'check threw an empty string'], // eslint-disable-line no-throw-literal
    ['throw-null', () => { throw null }, 'error', 'null'], // eslint-disable-line no-throw-literal
    ['throw-undefined', () => { throw undefined }, 'error', 'undefined'], // eslint-disable-line no-throw-literal
    ['throw-number', () => { throw 42 }, 'error', '42'], // eslint-disable-line no-throw-literal
    ['throw-symbol', () => { throw Symbol('sym') }, 'error', 'Symbol(sym)'],
    ['throw-plain-object', () => { throw { code: 'E' } }, 'error', '[object Object]'], // eslint-disable-line no-throw-literal
    ['throw-toString-throws', () => { throw { toString () { throw new Error('nope') } } }, 'error', 'check threw a value that cannot be converted to a string'], // eslint-disable-line no-throw-literal
    ['throw-revoked-proxy', () => { throw revoked }, 'error', 'check threw a value that cannot be converted to a string'],
    ['reject-revoked-proxy', () => Promise.reject(revoked), 'error', 'check threw a value that cannot be converted to a string'],
    ['error-message-getter-throws', () => { throw getterError }, 'error', 'Error'],
    ['error-subclass-message-getter-throws', async () => { throw new HostileError() }, 'error', 'HostileError'],
    ['error-empty-message', () => { throw new TypeError('') }, 'error', 'TypeError'],
    ['error-stack-in-message', () => { throw new Error('wrapped\n    at inner (lib.js:1:1)\n    at outer (lib.js:2:2)') }, 'error', 'wrapped'],
    ['thenable-never-settles', () => ({ then () {} }) as unknown as PromiseLike<boolean>, 'error', `timed out after ${TIMEOUT} ms`],
    ['then-getter-throws', () => ({ get then () { throw new Error('then getter') } }) as unknown as PromiseLike<boolean>, 'error', 'then getter'],
    ['then-throws', () => ({ then () { throw new Error('then threw') } }) as unknown as PromiseLike<boolean>, 'error', 'then threw'],
    ['then-resolves-synchronously', () => ({ then (resolve: (v: boolean) => void) { resolve(true) } }) as unknown as PromiseLike<boolean>, 'pass', undefined],
    ['reject-with-nothing', () => Promise.reject(), 'error', 'undefined'], // eslint-disable-line prefer-promise-reject-errors
    ['async-reject-error', async () => { throw new Error('async boom') }, 'error', 'async boom'],
    ['resolves-true-after-timeout', () => { lateHandle = late.promise; return lateHandle }, 'error', `timed out after ${TIMEOUT} ms`],
    ['blocks-event-loop-200ms', () => { const end = performance.now() + 200; while (performance.now() < end); return true }, 'pass', undefined],
    ['error-1mb', () => { throw new Error('x'.repeat(1024 * 1024)) }, 'error', new RegExp(`^x{${MAX_ERROR_LENGTH - 1}}…$`)],
    ['reject-1mb-string', () => Promise.reject('y'.repeat(1024 * 1024)), 'error', new RegExp(`^y{${MAX_ERROR_LENGTH - 1}}…$`)],
    ['returns-undefined', (() => undefined) as unknown as HealthCheckFn, 'error', 'check returned undefined; expected a boolean'],
    ['returns-string', () => 'true' as never, 'error', 'check returned the string "true"; expected a boolean'],
    ['returns-number', () => 1 as never, 'error', 'check returned the number 1; expected a boolean'],
    ['returns-object', () => ({ ok: true }) as never, 'error', 'check returned an object without a "status" of "pass", "warn" or "fail"; expected a boolean or { status, output?, observedValue?, observedUnit? }'],
    ['returns-function', () => (() => true) as never, 'error', 'check returned a function; expected a boolean'],
    ['resolves-null', async () => null as never, 'error', 'check returned null; expected a boolean'],
    ['resolves-array', async () => [true] as never, 'error', 'check returned an array; expected a boolean'],
    ['resolves-bigint', async () => 1n as never, 'error', 'check returned the bigint 1; expected a boolean'],
    ['resolves-symbol', async () => Symbol('s') as never, 'error', 'check returned a symbol; expected a boolean'],
    // Well-behaved neighbours, before and after the blocking check in registration order.
    ['good-sync', () => true, 'pass', undefined],
    ['good-async', () => new Promise<boolean>(resolve => setTimeout(resolve, 5, true)), 'pass', undefined],
    ['good-false', async () => false, 'fail', undefined]
  ]
  for (const [name, fn] of cases) app.addHealthCheck(name, fn)

  const res = await app.inject('/health')
  t.equal(res.statusCode, 503, 'not a 500')
  const report = res.json()
  t.ok(Value.Check(HealthReportSchema, report), 'the report validates against the schema')
  t.same(Object.keys(report.checks), cases.map(c => c[0]), 'every check reported, in order')
  for (const [name, , status, error] of cases) {
    const entry = report.checks[name]
    t.equal(entry.status, status, `${name}: ${status}`)
    if (error === undefined) t.notOk('error' in entry, `${name}: no error text`)
    else if (typeof error === 'string') t.equal(entry.error, error, `${name}: message`)
    else t.match(entry.error, error, `${name}: message`)
    if (entry.error !== undefined) {
      t.ok(entry.error.length > 0 && entry.error.length <= MAX_ERROR_LENGTH, `${name}: non-empty, at most MAX_ERROR_LENGTH`)
      t.notOk(entry.error.includes('\n    at '), `${name}: no stack trace`)
    }
  }
  const blocker = report.checks['blocks-event-loop-200ms']
  t.ok(blocker.duration >= 199 && blocker.duration < 1000, `the blocking check's duration shows ~200 ms (${blocker.duration as number})`)
  t.equal(report.checks['error-1mb'].error.length, MAX_ERROR_LENGTH, '1 MB message cut to MAX_ERROR_LENGTH')

  // The check that resolves true after its timeout: settle it now and make sure nothing happens.
  const linesBefore = log.lines.length
  late.resolve(true)
  await settled(lateHandle as Promise<boolean>)
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(seen.warnings, [], 'no warning')
  t.equal(log.lines.length, linesBefore, 'no log line for the late settlement')
  t.notOk(log.lines.some(l => l.level as number >= 50), 'nothing logged at error level or above (no 500)')

  // And the app still answers normally.
  const again = await app.inject('/health')
  t.equal(again.statusCode, 503)
  t.equal(again.json().checks['good-sync'].status, 'pass')
})

t.test('a blocking check does not turn neighbours that started before it into timeouts', async t => {
  const { app } = await buildApp(t, { timeout: 100 })
  // Starts first; its 5 ms timer and its 100 ms timeout are both overdue once the loop is free again, and the
  // earlier one (the answer) runs first.
  app.addHealthCheck('async-before', () => new Promise<boolean>(resolve => setTimeout(resolve, 5, true)))
  app.addHealthCheck('blocker', () => { const end = performance.now() + 200; while (performance.now() < end); return true })
  app.addHealthCheck('async-after', () => new Promise<boolean>(resolve => setTimeout(resolve, 5, true)))
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  for (const name of ['async-before', 'blocker', 'async-after']) t.equal(res.json().checks[name].status, 'pass', name)
})

t.test('an onStatusChange that throws a hostile value does not turn the probe into a 500', async t => {
  const hostile = {
    get message (): string { throw new Error('m') },
    get stack (): string { throw new Error('s') }
  }
  let calls = 0
  const { app, log } = await buildApp(t, { onStatusChange: () => { calls++; throw hostile } })
  let ok = false
  app.addHealthCheck('flip', async () => ok)
  const first = await app.inject('/health')
  t.equal(first.statusCode, 503, 'the real status, not 500')
  ok = true
  const second = await app.inject('/health')
  t.equal(second.statusCode, 200, 'the next run is a new run (not stuck on a failed one)')
  t.equal(calls, 2)
  const errors = log.lines.filter(l => l.level === 50)
  t.same(errors.map(l => l.msg), [
    'fastify-health: onStatusChange failed; the change is still applied',
    'fastify-health: onStatusChange failed; the change is still applied'
  ])
  // The serialiser could not read the value, so the line carries the safe text made of it instead.
  t.same(errors.map(l => l.err?.message), ['[object Object]', '[object Object]'])
})

t.test('an onStatusChange that throws an Error is logged with the error', async t => {
  const { app, log } = await buildApp(t, { onStatusChange: () => { throw new Error('listener broke') } })
  app.addHealthCheck('a', () => false)
  t.equal((await app.inject('/health')).statusCode, 503)
  const line = log.lines.find(l => l.level === 50)
  t.equal(line?.msg, 'fastify-health: onStatusChange failed; the change is still applied')
  t.match(line?.err, { message: 'listener broke' })
})

/**
 * A proxy that revokes itself on its `reads`-th property read: the `then` lookups see a plain object, and the result
 * is a revoked proxy by the time it is classified (where Array.isArray throws on it).
 */
function revokedOnRead (reads: number): object {
  let count = 0
  const { proxy, revoke } = Proxy.revocable({}, {
    get () {
      if (++count >= reads) revoke()
      return undefined
    }
  })
  return proxy
}

t.test('a result that is a revoked proxy when classified: an error entry, no 500, no crash, no hang', async t => {
  const seen = watchProcess(t)
  const { app } = await buildApp(t, { timeout: 10_000 })
  // Sync: one `then` lookup before classification. Async: the promise's own lookup, then ours. Thenable: ours.
  app.addHealthCheck('sync', () => revokedOnRead(1) as never)
  app.addHealthCheck('async', async () => revokedOnRead(2) as never)
  app.addHealthCheck('thenable', (() => ({ then: (resolve: (value: unknown) => void) => { resolve(revokedOnRead(1)) } })) as unknown as HealthCheckFn)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503, 'the real status, not a 500')
  for (const name of ['sync', 'async', 'thenable']) {
    t.match(res.json().checks[name], { status: 'error', error: /proxy that has been revoked/ }, `${name}: classified at once, as an error`)
  }
  await settled(Promise.resolve())
  t.same(seen.rejections, [], 'no unhandled rejection')
})
