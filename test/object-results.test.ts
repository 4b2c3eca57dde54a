import t from 'tap'
import { buildApp } from './helpers/app'
import { MAX_ERROR_LENGTH } from '../lib/error-message'
import type { CheckOutcome, HealthCheckFn } from '../lib/types'

const EXPECTED = 'expected a boolean or { status, output?, observedValue?, observedUnit? }'

t.test('object results, sync and async: pass, warn and fail with their fields', async t => {
  const { app } = await buildApp(t)
  const results: Record<string, CheckOutcome> = {
    pass: { status: 'pass', output: 'all good', observedValue: 12, observedUnit: 'ms' },
    warn: { status: 'warn', output: 'slow', observedValue: 'degraded' },
    bare: { status: 'pass' },
    flag: { status: 'pass', observedValue: true }
  }
  for (const [name, result] of Object.entries(results)) {
    app.addHealthCheck(name, () => result)
    app.addHealthCheck(`${name}-async`, async () => result)
  }
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200, 'warn counts as passing')
  const { checks } = res.json()
  for (const suffix of ['', '-async']) {
    t.match(checks[`pass${suffix}`], { status: 'pass', output: 'all good', observedValue: 12, observedUnit: 'ms' })
    t.notOk('error' in checks[`pass${suffix}`])
    t.match(checks[`warn${suffix}`], { status: 'warn', output: 'slow', observedValue: 'degraded' })
    t.notOk('observedUnit' in checks[`warn${suffix}`])
    t.same(Object.keys(checks[`bare${suffix}`]), ['status', 'timestamp', 'duration'], 'no optional field made up')
    t.equal(checks[`flag${suffix}`].observedValue, true)
  }
})

t.test('a fail with output reports the output as its error; the observed values are kept', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('disk', async () => ({ status: 'fail', output: 'only 1 GB free', observedValue: 1e9, observedUnit: 'bytes' }))
  app.addHealthCheck('plain', () => ({ status: 'fail' }))
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const { checks } = res.json()
  t.match(checks.disk, { status: 'fail', error: 'only 1 GB free', observedValue: 1e9, observedUnit: 'bytes' })
  t.notOk('output' in checks.disk, 'the text is in error, not repeated as output')
  t.same(Object.keys(checks.plain), ['status', 'timestamp', 'duration'])
})

t.test('output and observedUnit are clipped like error texts', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('long', () => ({ status: 'warn', output: 'x'.repeat(5000), observedValue: 'v'.repeat(5000), observedUnit: 'u'.repeat(5000) }))
  app.addHealthCheck('stack', () => ({ status: 'fail', output: 'broke\n    at f (/srv/app.js:1:2)' }))
  const { checks } = (await app.inject('/health')).json()
  t.equal(checks.long.output.length, MAX_ERROR_LENGTH)
  t.equal(checks.long.observedUnit.length, MAX_ERROR_LENGTH)
  t.equal(checks.long.observedValue.length, MAX_ERROR_LENGTH)
  t.equal(checks.stack.error, 'broke')
})

t.test('malformed objects are errors that say what was wrong', async t => {
  const { app } = await buildApp(t)
  const bad: Record<string, [unknown, string]> = {
    'no-status': [{ output: 'x' }, 'a "status" of "pass", "warn" or "fail"'],
    'bad-status': [{ status: 'ok' }, 'a "status" of "pass", "warn" or "fail"'],
    'error-status': [{ status: 'error' }, 'a "status" of "pass", "warn" or "fail"'],
    'numeric-output': [{ status: 'pass', output: 42 }, 'a string "output"'],
    'object-observed': [{ status: 'pass', observedValue: { n: 1 } }, 'a finite number, string or boolean "observedValue"'],
    'null-observed': [{ status: 'pass', observedValue: null }, 'a finite number, string or boolean "observedValue"'],
    'nan-observed': [{ status: 'pass', observedValue: NaN }, 'a finite number, string or boolean "observedValue"'],
    'infinite-observed': [{ status: 'warn', observedValue: -Infinity }, 'a finite number, string or boolean "observedValue"'],
    'bigint-observed': [{ status: 'pass', observedValue: 1n }, 'a finite number, string or boolean "observedValue"'],
    'numeric-unit': [{ status: 'warn', observedUnit: 5 }, 'a string "observedUnit"']
  }
  for (const [name, [value]] of Object.entries(bad)) {
    app.addHealthCheck(name, (() => value) as unknown as HealthCheckFn)
    app.addHealthCheck(`${name}-async`, (async () => value) as unknown as HealthCheckFn)
  }
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const { checks } = res.json()
  for (const [name, [, problem]] of Object.entries(bad)) {
    for (const key of [name, `${name}-async`]) {
      t.equal(checks[key].status, 'error', key)
      t.equal(checks[key].error, `check returned an object without ${problem}; ${EXPECTED}`, key)
    }
  }
})

t.test('a getter that throws makes an error entry with its message; nothing else is read', async t => {
  const { app } = await buildApp(t)
  let unitRead = false
  const hostile = {
    status: 'pass',
    get output (): string { throw new Error('output getter broke') },
    get observedUnit (): string { unitRead = true; return 'ms' }
  }
  app.addHealthCheck('getter', (() => hostile) as unknown as HealthCheckFn)
  app.addHealthCheck('proxy', (async () => new Proxy({}, { get () { throw new TypeError('trap') } })) as unknown as HealthCheckFn)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  const { checks } = res.json()
  t.match(checks.getter, { status: 'error', error: 'output getter broke' })
  t.equal(checks.proxy.error, 'trap')
  t.notOk(unitRead)
})

t.test('an array is not an object result', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('arr', (() => [{ status: 'pass' }]) as unknown as HealthCheckFn)
  t.equal((await app.inject('/health')).json().checks.arr.error, 'check returned an array; expected a boolean')
})

t.test('a non-critical warn or fail keeps the probe at 200 and says so', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('optional', () => ({ status: 'fail', output: 'down' }), { critical: false })
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 200)
  t.match(res.json().checks.optional, { status: 'fail', error: 'down', critical: false })
})
