import t from 'tap'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

// maxInterval: while a background check's effective status is not pass, each failing run doubles the delay to its
// next run, up to maxInterval; the first pass brings it back to interval.

t.test('a failing check backs off, doubling its delay up to maxInterval, and a pass resets it', async t => {
  const { app } = await buildApp(t)
  let ok = false
  const calls: number[] = []
  app.addHealthCheck('db', () => { calls.push(Date.now()); return ok }, { interval: 100, maxInterval: 800 })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  await clock.tickAsync(3000)
  t.same(calls.map(at => at - start), [0, 200, 600, 1400, 2200, 3000], 'delays 200, 400, 800, then 800')
  ok = true
  await clock.tickAsync(800)
  t.same(calls.slice(6).map(at => at - start), [3800], 'the pass at 3800 ms...')
  await clock.tickAsync(300)
  t.same(calls.slice(7).map(at => at - start), [3900, 4000, 4100], '...brings the delay back to the interval')
  ok = false
  await clock.tickAsync(1000)
  t.same(calls.slice(10).map(at => at - start), [4200, 4400, 4800], 'and a new failure starts doubling from the interval again')
})

t.test('the call rate of a failing check drops with back-off and not without it', async t => {
  const { app } = await buildApp(t)
  const counts = { plain: 0, backingOff: 0 }
  app.addReadyCheck('plain', () => { counts.plain++; return false }, { interval: 100 })
  app.addReadyCheck('backingOff', () => { counts.backingOff++; return false }, { interval: 100, maxInterval: 1000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(9_999)
  // Back-off runs at 0, 200, 600, 1400, then every 1000 ms: 2400, 3400, ... 9400.
  t.same(counts, { plain: 100, backingOff: 12 })
})

t.test('back-off follows the effective status: a failure the threshold holds back does not slow the check', async t => {
  const { app } = await buildApp(t)
  let ok = true
  const calls: number[] = []
  app.addHealthCheck('db', () => { calls.push(Date.now()); return ok }, { interval: 100, maxInterval: 1000, failureThreshold: 3 })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  ok = false
  await clock.tickAsync(1000)
  // Failures at 100 and 200 leave the check passing; the one at 300 makes it fail, and only then the delay doubles.
  t.same(calls.map(at => at - start), [0, 100, 200, 300, 500, 900])
})

t.test('a slow check backs off from the start of its runs, not from their end', async t => {
  const { app } = await buildApp(t)
  const calls: number[] = []
  app.addHealthCheck('db', async () => {
    calls.push(Date.now())
    await new Promise(resolve => setTimeout(resolve, 50))
    return false
  }, { interval: 100, maxInterval: 400, timeout: 1000 })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  await clock.tickAsync(2000)
  t.same(calls.map(at => at - start), [0, 200, 600, 1000, 1400, 1800])
})

t.test('a run cancelled by close does not schedule anything: no timer is left', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('db', () => { calls++; return calls === 1 ? false : new Promise<boolean>(() => {}) },
    { interval: 100, maxInterval: 1000, timeout: 60_000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(200)
  t.equal(calls, 2, 'the second run is in flight')
  await app.close()
  t.equal(clock.countTimers(), 0, 'the cancelled run (a failure) did not re-arm the back-off timer')
  await clock.tickAsync(10_000)
  t.equal(calls, 2)
})

t.test('while a check backs off, its result is measured against the current delay and never reads stale', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => false, { interval: 100, maxInterval: 5000, timeout: 50 })
  const clock = fakeClock(t)
  await app.ready()
  const seen = new Set<string>()
  // 2 × interval + timeout would be 250 ms: with delays of 200 ms, 400 ms ... 5000 ms that limit read stale on most
  // probes. Probing every 50 ms for 20 s sees only the real failure.
  for (let i = 0; i < 400; i++) {
    await clock.tickAsync(50)
    const entry = (await app.inject('/health/ready')).json().checks.db
    seen.add(entry.error === undefined ? entry.status : entry.error.replace(/[\d.]+ s/, 'N s'))
  }
  t.same([...seen], ['fail'])
})
