import Fastify from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'
import { fakeClock } from './helpers/clock'
import { captureLogs } from './helpers/logs'
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
  const log = await fixture.waitForJson(isSignalLog('SIGINT'))
  t.equal(log.delay, 5000, 'default delay')
  t.equal((await get(`${url}/health/ready`)).status, 503)
  // A second signal skips the 5 s default delay.
  fixture.child.kill('SIGINT')
  const exit = await fixture.exited
  t.equal(exit.signal, 'SIGINT')
})

// In-process tests exercise lib/graceful-shutdown.ts in the test process; see helpers/shutdown-signal.ts.
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

t.test('in-process: signal, readiness 503 at once, close after the delay, then the signal is raised again', async t => {
  const guard = guardSignal(t)
  const before = process.listenerCount(SIGNAL)
  const app = Fastify()
  const delay = 100
  await app.register(healthPlugin, { gracefulShutdown: { signals: [SIGNAL], delay } })
  app.addReadyCheck('database', () => true)
  app.addHealthCheck('loop', () => true)
  let closedAt: number | undefined
  app.addHook('onClose', (_app, done) => { closedAt = Date.now(); done() })
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  const clock = fakeClock(t)

  const signalledAt = Date.now()
  process.emit(SIGNAL, SIGNAL)
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503, 'readiness turns not_ready at once')
  t.match(ready.json(), { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down', duration: 0 } } })
  t.same(Object.keys(ready.json().checks), ['shutdown'])
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness unchanged')
  t.equal(process.listenerCount(SIGNAL), before + 1, 'still listening during the delay')

  await clock.tickAsync(delay - 1)
  t.equal(closedAt, undefined, 'not closed 1 ms before the delay ends')
  await clock.tickAsync(1)
  await guard.reached(2)
  t.equal(closedAt, signalledAt + delay, 'closed when the delay ended')
  t.equal(process.listenerCount(SIGNAL), before, 'our listener is gone before the signal is raised again')
  await t.rejects(app.inject('/health'), { code: 'FST_ERR_REOPENED_CLOSE_SERVER' }, 'the app is closed')
})

t.test('in-process: a second signal ends the wait early', async t => {
  const guard = guardSignal(t)
  const app = Fastify()
  await app.register(healthPlugin, { gracefulShutdown: { signals: [SIGNAL], delay: 60000 } })
  await app.ready()
  const start = Date.now()
  process.emit(SIGNAL, SIGNAL)
  process.emit(SIGNAL, SIGNAL)
  await guard.reached(3)
  t.ok(Date.now() - start < 5000, 'did not wait for the 60 s delay')
  await t.rejects(app.inject('/health'), { code: 'FST_ERR_REOPENED_CLOSE_SERVER' })
})

t.test('in-process: the app closed by something else during the delay ends the wait and re-raises once closed', async t => {
  const guard = guardSignal(t)
  const app = Fastify()
  await app.register(healthPlugin, { gracefulShutdown: { signals: [SIGNAL], delay: 60000 } })
  let hookDone = false
  app.addHook('onClose', async () => {
    await new Promise(resolve => setTimeout(resolve, 50))
    hookDone = true
  })
  await app.ready()
  process.emit(SIGNAL, SIGNAL)
  const start = Date.now()
  await app.close()
  await guard.reached(2)
  t.equal(hookDone, true, 'the signal comes after every onClose hook has run')
  t.ok(Date.now() - start < 5000, 'did not wait for the 60 s delay')
})

t.test('in-process: a failing app.close() is logged and the signal is still raised', async t => {
  const guard = guardSignal(t)
  const { lines, stream } = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream } })
  await app.register(healthPlugin, { gracefulShutdown: { signals: [SIGNAL], delay: 0 } })
  app.addHook('onClose', async () => { throw new Error('pool would not close') })
  await app.ready()
  process.emit(SIGNAL, SIGNAL)
  await guard.reached(2)
  const failure = lines.find(line => line.msg === 'fastify-health: app.close() failed during graceful shutdown')
  t.ok(failure, 'logged')
  t.equal(failure?.level, 50)
  t.equal(failure?.err?.message, 'pool would not close')
  t.ok(lines.some(line => line.signal === SIGNAL && line.delay === 0 && /SIGUSR2 received/.test(line.msg)), 'the signal is logged')
})
