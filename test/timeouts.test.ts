import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { DEFAULT_TIMEOUT } from '../lib/options'
import type { HealthCheckContext } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred, hanging, settled, watchProcess } from './helpers/async'
import { fakeClock } from './helpers/clock'

t.test('default timeout is 800 ms, below Kubernetes\' default timeoutSeconds of 1', async t => {
  t.equal(DEFAULT_TIMEOUT, 800)
  const { app } = await buildApp(t)
  const clock = fakeClock(t)
  const hang = hanging()
  let answered = false
  app.addHealthCheck('hang', hang.check)
  const pending = app.inject('/health').then(res => { answered = true; return res })
  await hang.started
  await clock.tickAsync(799)
  t.equal(answered, false, 'still waiting 1 ms before the timeout')
  await clock.tickAsync(1)
  const res = await pending
  t.equal(res.statusCode, 503)
  const entry = res.json().checks.hang
  t.equal(entry.status, 'error')
  t.equal(entry.error, 'timed out after 800 ms')
})

t.test('plugin option timeout applies to every check; a per-check timeout overrides it', async t => {
  const { app } = await buildApp(t, { timeout: 20 })
  const clock = fakeClock(t)
  const slow = deferred()
  const slowStarted = deferred<void>()
  const fractional = hanging()
  app.addHealthCheck('plugin-default', () => new Promise<boolean>(() => {}))
  app.addHealthCheck('shorter', () => new Promise<boolean>(() => {}), { timeout: 5 })
  // Longer than the plugin's timeout: it is still running when the others time out, and its own answer counts.
  app.addHealthCheck('longer', () => { slowStarted.resolve(); return slow.promise }, { timeout: 60_000 })
  app.addReadyCheck('fractional', fractional.check, { timeout: 2.5 })
  const pending = app.inject('/health')
  const readyPending = app.inject('/health/ready')
  await Promise.all([slowStarted.promise, fractional.started])
  await clock.tickAsync(3)
  t.equal((await readyPending).json().checks.fractional.error, 'timed out after 2.5 ms')
  await clock.tickAsync(17)
  // 20 ms on: the plugin's timeout has passed, the 60 s one has not.
  slow.resolve(true)
  const res = await pending
  const checks = res.json().checks
  t.match(checks['plugin-default'], { status: 'error', error: 'timed out after 20 ms' })
  t.match(checks.shorter, { status: 'error', error: 'timed out after 5 ms' })
  t.equal(checks.longer.status, 'pass', 'a per-check timeout longer than the plugin\'s is honoured')
  t.equal(res.statusCode, 503)
})

t.test('invalid timeouts are rejected at registration with a clear error', async t => {
  const bad: unknown[] = [0, -1, NaN, Infinity, -Infinity, '100', null, true, {}, [100]]
  for (const timeout of bad) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(healthPlugin, { timeout } as never) }, {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: option "timeout" must be a positive finite number of milliseconds, received /
    }, `plugin timeout ${String(timeout)}`)
    await app.close()
  }
  const { app } = await buildApp(t)
  for (const timeout of bad) {
    t.throws(() => app.addHealthCheck('c', () => true, { timeout } as never), {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: addHealthCheck\("c"\) option "timeout" must be a positive finite number of milliseconds/
    }, `health check timeout ${String(timeout)}`)
    t.throws(() => app.addReadyCheck('c', () => true, { timeout } as never), {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: /^fastify-health: addReadyCheck\("c"\) option "timeout"/
    }, `ready check timeout ${String(timeout)}`)
  }
  // A rejected registration leaves nothing behind: the name is still free.
  app.addHealthCheck('c', () => true, { timeout: 10 })
  t.equal((await app.inject('/health')).statusCode, 200)
})

t.test('a timeout too large for setTimeout does not time the check out at once and emits no warning', async t => {
  const seen = watchProcess(t)
  const { app } = await buildApp(t)
  const gate = deferred()
  app.addHealthCheck('huge', () => gate.promise, { timeout: 1e10 })
  const pending = app.inject('/health')
  // Resolved only after the timer phase has run at least twice: a 1 ms timer (what Node turns an overflowing delay
  // into) would have fired by then.
  await new Promise(resolve => setTimeout(resolve, 10))
  await new Promise(resolve => setTimeout(resolve, 10))
  gate.resolve(true)
  const res = await pending
  t.equal(res.json().checks.huge.status, 'pass')
  await new Promise(resolve => setImmediate(resolve))
  t.same(seen.warnings, [], 'no TimeoutOverflowWarning')
})

t.test('a timed-out check: error entry, signal aborted with a TimeoutError, the response does not wait', async t => {
  const { app } = await buildApp(t, { timeout: 15 })
  const clock = fakeClock(t)
  const never = deferred()
  const started = deferred<void>()
  let context: HealthCheckContext | undefined
  let abortEvents = 0
  app.addHealthCheck('hang', (ctx) => {
    context = ctx
    ctx.signal.addEventListener('abort', () => { abortEvents++ })
    started.resolve()
    return never.promise
  })
  const pending = app.inject('/health')
  await started.promise
  await clock.tickAsync(15)
  const res = await pending
  // The check's promise is still pending (only this test could settle it), yet the response is here.
  t.equal(res.statusCode, 503)
  const entry = res.json().checks.hang
  t.equal(entry.status, 'error')
  t.equal(entry.error, 'timed out after 15 ms')
  t.type(entry.duration, 'number')
  t.equal(entry.duration, 15, 'the duration is the wait')
  const signal = (context as HealthCheckContext).signal
  t.equal(signal.aborted, true, 'signal aborted')
  t.equal(abortEvents, 1, 'abort event fired once')
  t.type(signal.reason, DOMException)
  t.equal((signal.reason as DOMException).name, 'TimeoutError')
  t.equal((signal.reason as DOMException).message, 'timed out after 15 ms')
  never.resolve(true)
  await settled(never.promise)
  t.equal(abortEvents, 1, 'a late settlement does not abort again')
})

t.test('a signal first read after the timeout is already aborted', async t => {
  const { app } = await buildApp(t, { timeout: 10 })
  const clock = fakeClock(t)
  const gate = deferred()
  const started = deferred<void>()
  let lateSignal: AbortSignal | undefined
  const lateRead = deferred<void>()
  app.addHealthCheck('reads-late', async (ctx) => {
    started.resolve()
    await gate.promise
    lateSignal = ctx.signal
    lateRead.resolve()
    return true
  })
  const pending = app.inject('/health')
  await started.promise
  await clock.tickAsync(10)
  const res = await pending
  t.equal(res.json().checks['reads-late'].error, 'timed out after 10 ms')
  gate.resolve(true)
  await lateRead.promise
  t.equal(lateSignal?.aborted, true, 'aborted although the controller did not exist when the time ran out')
  t.equal((lateSignal?.reason as DOMException).name, 'TimeoutError')
})

t.test('a check that settles in time: its signal is never aborted', async t => {
  const { app } = await buildApp(t, { timeout: 1000 })
  let signal: AbortSignal | undefined
  app.addHealthCheck('quick', async (ctx) => { signal = ctx.signal; return true })
  const res = await app.inject('/health')
  t.equal(res.json().checks.quick.status, 'pass')
  t.equal(signal?.aborted, false)
})

t.test('late settlements change nothing: no unhandled rejection, no warning, no log line', async t => {
  const seen = watchProcess(t)
  const { app, log } = await buildApp(t, { timeout: 10 })
  const clock = fakeClock(t)
  const lastStarted = deferred<void>()

  const lateTrue = deferred()
  const lateFalse = deferred()
  const lateReject = deferred()
  const lateThrowGate = deferred<void>()
  let lateThrow: Promise<boolean> | undefined
  // A hand-made thenable that, late, calls both callbacks, several times.
  let thenableCallbacks: [(v: unknown) => void, (e: unknown) => void] | undefined
  app.addHealthCheck('late-true', () => lateTrue.promise)
  app.addHealthCheck('late-false', () => lateFalse.promise)
  app.addHealthCheck('late-reject', () => lateReject.promise)
  app.addHealthCheck('late-throw-in-callback', () => {
    lateThrow = lateThrowGate.promise.then(() => { throw new Error('thrown from a callback, late') })
    return lateThrow
  })
  app.addHealthCheck('late-thenable', () => ({
    then (onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void) { thenableCallbacks = [onFulfilled, onRejected] }
  }) as unknown as PromiseLike<boolean>)
  const lateNonBoolean = deferred<unknown>()
  app.addHealthCheck('late-non-boolean', () => { lastStarted.resolve(); return lateNonBoolean.promise as Promise<boolean> })

  const pending = app.inject('/health')
  await lastStarted.promise
  await clock.tickAsync(10)
  const res = await pending
  t.equal(res.statusCode, 503)
  const first = res.json()
  for (const name of Object.keys(first.checks)) {
    t.equal(first.checks[name].error, 'timed out after 10 ms', `${name} timed out`)
  }
  const linesBefore = log.lines.length
  t.ok(linesBefore > 0, 'the status changes of the run itself were logged')

  lateTrue.resolve(true)
  lateFalse.resolve(false)
  lateReject.reject(new Error('late rejection'))
  lateThrowGate.resolve()
  const [onFulfilled, onRejected] = thenableCallbacks as [(v: unknown) => void, (e: unknown) => void]
  onFulfilled(true)
  onRejected(new Error('after fulfilment'))
  onFulfilled('not a boolean')
  lateNonBoolean.resolve('late')
  await settled(lateTrue.promise)
  await settled(lateFalse.promise)
  await settled(lateReject.promise)
  await settled(lateThrow as Promise<boolean>)
  await settled(lateNonBoolean.promise)

  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(seen.warnings, [], 'no warning')
  t.equal(log.lines.length, linesBefore, 'no log line per late settlement')
  t.same(first, res.json(), 'the answer already sent is unchanged')
})

t.test('a run after a timed-out one starts afresh and sees the check\'s new behaviour', async t => {
  const { app } = await buildApp(t, { timeout: 10 })
  const clock = fakeClock(t)
  const hang = hanging()
  let healthy = false
  let calls = 0
  app.addHealthCheck('flaky', () => {
    calls++
    return healthy ? Promise.resolve(true) : hang.check()
  })
  const pending = app.inject('/health')
  await hang.started
  await clock.tickAsync(10)
  t.equal((await pending).statusCode, 503)
  healthy = true
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.equal(res.json().checks.flaky.status, 'pass')
  t.equal(calls, 2)
})
