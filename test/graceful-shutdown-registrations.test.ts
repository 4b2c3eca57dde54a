// Several registrations with gracefulShutdown in one process (sibling contexts, several apps): they are not other
// listeners to each other, so the process still ends by the signal once every app has closed.
import t from 'tap'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import { startTs, stop } from './helpers/process'
import { guardSignal, SIGNAL } from './helpers/shutdown-signal'

const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

for (const mode of ['siblings', 'apps']) {
  t.test(`SIGTERM with two registrations in one process (${mode}): both close, then the signal ends the process`, async t => {
    const fixture = startTs(t, 'test/fixtures/two-registrations.ts', { MODE: mode })
    await fixture.waitFor(/^listening\n/m)
    // stop() sends SIGTERM and kills the process (SIGKILL) if it has not ended 10 s later.
    const exit = await stop(fixture, 'SIGTERM', 10_000)
    t.same({ code: exit.code, signal: exit.signal }, { code: null, signal: 'SIGTERM' }, 'ended by the signal, as with one registration')
    t.equal(fixture.stdout().split('\n').filter(line => line === 'app closed').length, mode === 'apps' ? 2 : 1, 'every app closed first')
  })
}

t.test('in-process: two registrations are not other listeners to each other; the last to close raises the signal once', async t => {
  const before = process.listenerCount(SIGNAL)
  const first = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 100 } })
  const second = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 200 } })
  await first.app.ready()
  await second.app.ready()
  const clock = fakeClock(t)
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(SIGNAL, SIGNAL)
  const guard = guardSignal(t)
  await clock.tickAsync(100)
  await first.app.health.shutdown()
  await turn()
  t.same(kills(), [], 'not raised while the other registration is still closing')
  await clock.tickAsync(100)
  await second.app.health.shutdown()
  await guard.reached(1)
  t.same(kills().map(call => call.args), [[process.pid, SIGNAL]], 'raised once, by the last to close')
  t.equal(process.listenerCount(SIGNAL), before + 1, 'only the guard is left')
})

t.test('in-process: two registrations and another listener: the exit is left to that listener', async t => {
  const guard = guardSignal(t)
  const first = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 0 } })
  const second = await buildApp(t, { gracefulShutdown: { signals: [SIGNAL], delay: 0 } })
  await first.app.ready()
  await second.app.ready()
  const kills = t.capture(process, 'kill', process.kill)
  process.emit(SIGNAL, SIGNAL)
  await Promise.all([first.app.health.shutdown(), second.app.health.shutdown()])
  await turn()
  t.same(kills(), [], 'not raised again')
  t.equal(guard.count(), 1, 'the other listener got the signal exactly once')
})
