import Fastify from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { get } from './helpers/net'
import { startTs, type Proc } from './helpers/process'
import { guardSignal, SIGNAL } from './helpers/shutdown-signal'

const isSignalLog = (signal: string) => (line: Record<string, unknown>): boolean =>
  line.signal === signal && typeof line.msg === 'string' && line.msg.startsWith('fastify-health:') && line.msg.includes('received')

/** The app in test/fixtures/shutdown-app.ts, once it listens: its URL is the first line it prints on stdout. */
async function startShutdownApp (t: Test, env: Record<string, string>): Promise<{ fixture: Proc, url: string }> {
  const fixture = startTs(t, 'test/fixtures/shutdown-app.ts', env)
  const [, url] = await fixture.waitFor(/^(http:\/\/127\.0\.0\.1:\d+)\n/m)
  return { fixture, url }
}

t.test('SIGTERM: readiness 503 at once, liveness and other routes serve, in-flight requests finish, then the signal ends the process', async t => {
  const delay = 1000
  const { fixture, url } = await startShutdownApp(t, { SHUTDOWN_DELAY: String(delay) })

  const before = await get(`${url}/health/ready`)
  t.equal(before.status, 200, 'ready before the signal')

  const signalledAt = Date.now()
  fixture.child.kill('SIGTERM')
  await fixture.waitForJson(isSignalLog('SIGTERM'))

  // The first probe after the signal already sees not_ready.
  const ready = await get(`${url}/health/ready`)
  t.equal(ready.status, 503)
  t.match(ready.json, { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down' } } })
  t.notOk('database' in ready.json.checks, 'the checks are not run any more')
  const readyHead = await get(`${url}/health/ready`, { method: 'HEAD' })
  t.equal(readyHead.status, 503, 'HEAD readiness agrees')

  const live = await get(`${url}/health`)
  t.equal(live.status, 200, 'liveness keeps its normal answer')
  t.equal(live.json.status, 'healthy')
  t.ok('event-loop' in live.json.checks)
  const other = await get(`${url}/other`)
  t.equal(other.status, 200, 'the app keeps serving during the delay')
  t.same(other.json, { other: true })

  // Started during the delay; it answers only after app.close() has begun, so it is in flight while the server drains.
  t.ok(Date.now() - signalledAt < delay, 'the slow request starts before the delay ends')
  const slow = await get(`${url}/slow`)
  t.equal(slow.status, 200, 'a request in flight when close begins completes')
  t.equal(slow.json.finishedAfterCloseBegan, true)

  const exit = await fixture.exited
  t.equal(exit.signal, 'SIGTERM', 'the process ends by the signal, as it would without the plugin')
  t.equal(exit.code, null)
  const elapsed = exit.at - signalledAt
  t.ok(elapsed >= delay, `the process waits for the delay (${elapsed} ms)`)
  t.ok(elapsed < delay + 5000, `and ends shortly after it (${elapsed} ms)`)
  await t.rejects(get(`${url}/health`), 'nothing listens any more')
})

t.test('a second signal during the delay ends the wait early', async t => {
  const { fixture, url } = await startShutdownApp(t, { SHUTDOWN_DELAY: '60000' })

  fixture.child.kill('SIGTERM')
  await fixture.waitForJson(isSignalLog('SIGTERM'))
  t.equal((await get(`${url}/health/ready`)).status, 503)

  const secondAt = Date.now()
  fixture.child.kill('SIGTERM')
  const exit = await fixture.exited
  t.equal(exit.signal, 'SIGTERM')
  t.ok(exit.at - secondAt < 5000, `ended ${exit.at - secondAt} ms after the second signal, not after 60 s`)
  t.match(fixture.stderr(), 'fastify-health: second signal', 'the early close is logged')
})

t.test('gracefulShutdown: true listens to SIGINT too and re-raises the signal it received', async t => {
  const { fixture, url } = await startShutdownApp(t, { SHUTDOWN_DEFAULTS: '1' })

  fixture.child.kill('SIGINT')
  await fixture.waitForJson(isSignalLog('SIGINT'))
  const log = await fixture.waitForJson(line => typeof line.msg === 'string' && line.msg.includes('readiness is now not_ready'))
  t.equal(log.delay, 5000, 'default delay')
  t.equal((await get(`${url}/health/ready`)).status, 503)
  // A second signal skips the 5 s default delay.
  fixture.child.kill('SIGINT')
  const exit = await fixture.exited
  t.equal(exit.signal, 'SIGINT')
})

t.test('SIGTERM with another listener of the app\'s own: the signal reaches it once, the plugin closes after the delay and leaves the exit to it', async t => {
  const delay = 1500 // room for the two probes below to be answered during the delay on a loaded machine
  const { fixture, url } = await startShutdownApp(t, { SHUTDOWN_DELAY: String(delay), OTHER_LISTENER: '1' })
  const signalledAt = Date.now()
  fixture.child.kill('SIGTERM')
  await fixture.waitFor(/own SIGTERM listener ran\n/)
  t.equal((await get(`${url}/health/ready`)).status, 503, 'readiness not_ready during the delay')
  t.same((await get(`${url}/other`)).json, { other: true }, 'other routes still served')
  const exit = await fixture.exited
  // The listener does not exit: the process ends once the closed app leaves nothing to do.
  t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'not ended by a signal raised again')
  t.ok(exit.at - signalledAt >= delay, `after the delay (${exit.at - signalledAt} ms)`)
  t.equal(fixture.stdout().split('\n').filter(line => line === 'own SIGTERM listener ran').length, 1, 'the other listener ran exactly once')
  t.match(fixture.stdout(), /app closed\n/)
})

// In-process tests exercise lib/graceful-shutdown.ts in the test process (see helpers/shutdown-signal.ts), on a fake
// clock. process.emit() stands in for the delivery of the first signal; process.kill is captured (and still called)
// to see whether the plugin raises the signal again.
t.test('in-process: listeners are installed, and removed when the app closes without a signal', async t => {
  const before = process.listenerCount(SIGNAL)
  const app = Fastify()
  await app.register(healthPlugin, { gracefulShutdown: { signals: [SIGNAL, 'SIGHUP'], delay: 10 } })
  await app.ready()
  t.equal(process.listenerCount(SIGNAL), before + 1)
  t.equal(process.listeners('SIGHUP').length >= 1, true)
  const hupBefore = process.listenerCount('SIGHUP')
  await app.close()
  t.equal(process.listenerCount(SIGNAL), before, 'an app closed for another reason leaves no listener behind')
  t.equal(process.listenerCount('SIGHUP'), hupBefore - 1)
})

const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

t.test('in-process, another listener: readiness 503 at once, close after the delay, the signal is not raised again', async t => {
  const guard = guardSignal(t)
  const before = process.listenerCount(SIGNAL)
  const delay = 100
  const { app, log } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay } })
  app.addReadyCheck('database', () => true)
  app.addHealthCheck('loop', () => true)
  let closed = false
  app.addHook('onClose', (_app, done) => { closed = true; done() })
  await app.ready()
  const clock = fakeClock(t)
  const kills = t.capture(process, 'kill', process.kill)
  t.equal((await app.inject('/health/ready')).statusCode, 200)

  process.emit(SIGNAL, SIGNAL)
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503, 'readiness turns not_ready at once')
  t.match(ready.json(), { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down', duration: 0 } } })
  t.same(Object.keys(ready.json().checks), ['shutdown'])
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness unchanged')
  t.ok(log.lines.some(line => line.signal === SIGNAL && line.msg === `fastify-health: ${SIGNAL} received`), 'the signal is logged')

  await clock.tickAsync(delay - 1)
  t.equal(closed, false, 'not closed before the delay')
  t.equal(process.listenerCount(SIGNAL), before + 1, 'still listening during the delay')
  await clock.tickAsync(1)
  await app.health.shutdown()
  t.equal(closed, true, 'closed after the delay')
  await turn()
  t.equal(process.listenerCount(SIGNAL), before, 'its listener is removed once closed')
  t.same(kills(), [], 'the signal is not raised again')
  t.equal(guard.count(), 1, 'the other listener got the signal exactly once')
})

t.test('in-process, no other listener: once closed, the signal is raised again with the plugin\'s listener gone', async t => {
  const before = process.listenerCount(SIGNAL)
  const { app } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 100 } })
  await app.ready()
  const clock = fakeClock(t)
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(SIGNAL, SIGNAL)
  // Attached after the signal, so not an other listener of it: it keeps the test process alive when the signal comes.
  const guard = guardSignal(t)
  await clock.tickAsync(100)
  await guard.reached(1)
  t.same(kills().map(call => call.args), [[process.pid, SIGNAL]], 'raised once, at this process')
  t.equal(process.listenerCount(SIGNAL), before + 1, 'only the guard was added: the plugin\'s listener is gone')
})

t.test('in-process: signal-exit\'s listeners (v3 and v4) are not other listeners, for the signals it handles', async t => {
  // A stand-in for signal-exit v3: its emitter on process and one listener. (Under tap, signal-exit v4 is loaded too.)
  const proc = process as unknown as { __signal_exit_emitter__?: unknown }
  proc.__signal_exit_emitter__ = { count: 1 }
  let standIn = 0
  const v3Listener = (): void => { standIn++ }
  process.on(SIGNAL, v3Listener)
  t.teardown(() => {
    delete proc.__signal_exit_emitter__
    process.removeListener(SIGNAL, v3Listener)
  })
  const { app } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 0 } })
  await app.ready()
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(SIGNAL, SIGNAL)
  const guard = guardSignal(t)
  await guard.reached(1)
  t.same(kills().map(call => call.args), [[process.pid, SIGNAL]], 'raised again: signal-exit leaves the exit to others')
  t.equal(standIn, 2, 'signal-exit\'s listener saw the emitted signal and the raised one')
})

t.test('in-process: for a signal signal-exit does not handle, every other listener counts', async t => {
  const signal = 'SIGWINCH' // ignored by default: harmless if it were raised
  let other = 0
  const listener = (): void => { other++ }
  process.on(signal, listener)
  t.teardown(() => { process.removeListener(signal, listener) })
  const { app } = await buildApp(t, { gracefulShutdown: { signals: [signal], delay: 0 } })
  await app.ready()
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(signal, signal)
  await app.health.shutdown()
  await turn()
  t.same(kills(), [], 'not raised again')
  t.equal(other, 1)
})

t.test('in-process: a second signal ends the wait early', async t => {
  const guard = guardSignal(t)
  const { app, log } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 60000 } })
  let closed = false
  app.addHook('onClose', (_app, done) => { closed = true; done() })
  await app.ready()
  fakeClock(t)
  process.emit(SIGNAL, SIGNAL)
  await turn()
  t.equal(closed, false, 'waiting for the delay')
  process.emit(SIGNAL, SIGNAL)
  await app.health.shutdown() // the clock has not moved: only the second signal can end the wait
  t.equal(closed, true)
  t.equal(guard.count(), 2, 'each signal reached the other listener once')
  t.ok(log.lines.some(line => line.msg === 'fastify-health: second signal, closing now'), 'the early close is logged')
  await t.rejects(app.inject('/health'), { code: 'FST_ERR_REOPENED_CLOSE_SERVER' })
})

t.test('in-process: the app closed by something else during the delay ends the wait; the signal is raised again after every onClose hook', async t => {
  const { app } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 60000 } })
  const hookStarted = deferred<void>()
  const release = deferred<void>()
  let hookDone = false
  app.addHook('onClose', async () => {
    hookStarted.resolve()
    await release.promise
    hookDone = true
  })
  await app.ready()
  fakeClock(t)
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(SIGNAL, SIGNAL)
  const guard = guardSignal(t)
  const closing = app.close()
  await hookStarted.promise
  await turn()
  t.same(kills(), [], 'not raised while an onClose hook runs')
  release.resolve()
  await closing
  await guard.reached(1)
  t.equal(hookDone, true, 'the signal comes after every onClose hook has run')
})

t.test('in-process: a failing app.close() is logged and the signal is still raised', async t => {
  const { app, log } = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 0 } })
  app.addHook('onClose', async () => { throw new Error('pool would not close') })
  await app.ready()
  process.emit(SIGNAL, SIGNAL)
  const guard = guardSignal(t)
  await t.rejects(app.health.shutdown(), { message: 'pool would not close' }, 'the shared shutdown promise rejects with it')
  await guard.reached(1)
  const failure = log.lines.find(line => line.msg === 'fastify-health: app.close() failed during graceful shutdown')
  t.ok(failure, 'logged')
  t.equal(failure?.level, 50)
  t.equal(failure?.err?.message, 'pool would not close')
})
