import t from 'tap'
import { buildApp, isSecondsWithMs } from './helpers/app'
import { deferred, type Deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { runTs } from './helpers/process'

// Background checks run on their own timer from onReady; every answer reads their latest result. The clock is fake:
// `clock.tickAsync(ms)` fires the scheduler's timers and lets the runs they start settle.

t.test('a check with an interval runs at onReady and then every interval, however often it is asked', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('db', () => { calls++; return true }, { interval: 1000 })
  const clock = fakeClock(t)
  await app.ready()
  t.equal(calls, 1, 'first run at onReady')

  for (let i = 0; i < 50; i++) {
    t.equal((await app.inject('/health')).statusCode, 200)
    await app.runHealthChecks()
    t.equal((await app.inject('/health/db')).statusCode, 200)
  }
  t.equal(calls, 1, '150 answers, no extra run')

  await clock.tickAsync(999)
  t.equal(calls, 1)
  await clock.tickAsync(1)
  t.equal(calls, 2, 'second run one interval later')
  await clock.tickAsync(10_000)
  t.equal(calls, 12, 'one run per interval, with no probe at all')
})

t.test('the interval option of the plugin is the default for every check, and a check may override it', async t => {
  const { app } = await buildApp(t, { interval: 500 })
  const calls = { a: 0, b: 0, r: 0 }
  app.addHealthCheck('a', () => { calls.a++; return true })
  app.addHealthCheck('b', () => { calls.b++; return true }, { interval: 2000 })
  app.addReadyCheck('r', () => { calls.r++; return true })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(2000)
  t.same(calls, { a: 5, b: 2, r: 5 })
})

t.test('an entry\'s timestamp is when its result was produced; the report\'s is when it was answered', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => true, { interval: 10_000 })
  const clock = fakeClock(t)
  await app.ready()
  const producedAt = Date.now() / 1000

  await clock.tickAsync(3000)
  const first = (await app.inject('/health')).json()
  await clock.tickAsync(4000)
  const second = (await app.inject('/health')).json()
  t.equal(first.checks.db.timestamp, producedAt, 'the entry carries the time of the run')
  t.equal(second.checks.db.timestamp, producedAt, 'stable between ticks')
  t.ok(isSecondsWithMs(first.timestamp))
  t.equal(first.timestamp, producedAt + 3, 'the report carries the time of the answer')
  t.equal(second.timestamp, producedAt + 7)

  await clock.tickAsync(3000)
  const third = (await app.inject('/health')).json()
  t.equal(third.checks.db.timestamp, producedAt + 10, 'a new run, a new timestamp')
})

t.test('a probe that arrives before the first result waits for the first run, which is not started twice', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let first: Deferred<boolean> | undefined
  app.addHealthCheck('db', () => { calls++; first = deferred(); return first.promise }, { interval: 1000, timeout: 5000 })
  const clock = fakeClock(t)
  await app.ready()
  t.equal(calls, 1)

  let answered = false
  const probe = app.inject('/health').then(res => { answered = true; return res })
  const direct = app.runHealthChecks()
  const single = app.inject('/health/db')
  await clock.tickAsync(500)
  t.notOk(answered, 'no made-up status while the first run is in progress')
  first?.resolve(false)
  const res = await probe
  t.equal(res.statusCode, 503)
  const entry = res.json().checks.db
  t.equal(entry.status, 'fail', 'the answer is the first run\'s')
  t.equal(entry.since, entry.timestamp, 'a background check\'s non-pass entry says since when')
  t.equal((await direct).checks?.db?.status, 'fail')
  t.equal((await single).statusCode, 503)
  t.equal(calls, 1, 'every one of them waited for the same run')
})

t.test('a probe waiting for a first run that hangs is answered when the check times out', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('db', () => { calls++; return new Promise<boolean>(() => {}) }, { interval: 1000, timeout: 300 })
  const clock = fakeClock(t)
  let answered = false
  const probe = app.inject('/health').then(res => { answered = true; return res })
  await clock.tickAsync(299)
  t.notOk(answered)
  await clock.tickAsync(1)
  const res = await probe
  t.equal(res.statusCode, 503)
  t.match(res.json().checks.db, { status: 'error', error: 'timed out after 300 ms' })
  t.equal(calls, 1)
})

t.test('a tick is skipped while the previous run of that check is in flight', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let inFlight = 0
  let most = 0
  const runs: Array<Deferred<boolean>> = []
  app.addHealthCheck('slow', () => {
    calls++
    inFlight++
    most = Math.max(most, inFlight)
    const run = deferred()
    runs.push(run)
    // The first two runs end when the test says so, the later ones at once.
    if (runs.length > 2) run.resolve(true)
    return run.promise.finally(() => { inFlight-- })
  }, { interval: 100, timeout: 10_000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(1000)
  t.equal(calls, 1, 'ten ticks passed while the first run was in flight: none started another run')
  runs[0].resolve(true)
  await clock.tickAsync(0)
  t.equal(calls, 1, 'the end of a run does not start one')
  await clock.tickAsync(100)
  t.equal(calls, 2, 'the next tick does')
  runs[1].resolve(true)
  await clock.tickAsync(300)
  t.equal(calls, 5)
  t.equal(most, 1, 'never two runs of one check at once')
})

t.test('a background run that times out records an error, and the next tick runs again', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('db', () => { calls++; return calls === 1 ? new Promise<boolean>(() => {}) : true }, { interval: 1000, timeout: 200 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(200)
  t.match((await app.inject('/health')).json().checks.db, { status: 'error', error: 'timed out after 200 ms' })
  await clock.tickAsync(800)
  t.equal(calls, 2)
  t.equal((await app.inject('/health')).json().checks.db.status, 'pass')
})

t.test('a check added after the app is ready starts its schedule at once', async t => {
  const { app } = await buildApp(t)
  const clock = fakeClock(t)
  await app.ready()
  let calls = 0
  app.addHealthCheck('late', () => { calls++; return true }, { interval: 1000 })
  t.equal(calls, 1)
  await clock.tickAsync(1000)
  t.equal(calls, 2)
})

t.test('no run starts once the app is closing, and none after it closed', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let hanging: Deferred<boolean> | undefined
  app.addHealthCheck('db', () => { calls++; hanging = deferred(); return hanging.promise }, { interval: 100, timeout: 10_000 })
  app.addReadyCheck('sync', () => { calls++; return true }, { interval: 100 })
  const clock = fakeClock(t)
  await app.ready()
  t.equal(calls, 2)
  await app.close()
  t.equal(calls, 2, 'closing runs nothing')
  await clock.tickAsync(10_000)
  t.equal(calls, 2, 'no tick after close')
  hanging?.resolve(true)
  await clock.tickAsync(1000)
  t.equal(calls, 2, 'the end of the run in flight schedules nothing either')
})

t.test('a run in flight when the app closes is cancelled, so closing does not wait for it', async t => {
  const { app } = await buildApp(t)
  let signal: AbortSignal | undefined
  app.addHealthCheck('db', ctx => { signal = ctx.signal; return new Promise<boolean>(() => {}) }, { interval: 100, timeout: 60_000 })
  fakeClock(t)
  await app.ready()
  await app.close()
  t.equal(signal?.aborted, true)
  t.equal((signal?.reason as DOMException).name, 'AbortError')
})

t.test('background timers never hold the process open: a ready app that is never closed lets its script end', async t => {
  const { code, stdout, stderr } = await runTs(t, 'test/fixtures/background-unclosed.ts')
  t.equal(code, 0, stderr)
  const result = JSON.parse(stdout)
  t.equal(result.status, 'ready')
  t.equal(result.runs, 2, 'both checks ran in the background')
  // The interval is 1 s and the async check's timeout 60 s; either timer, held, would keep the script alive that long.
  t.ok(result.exitAfter < 900, `the script ended ${Math.round(result.exitAfter)} ms after its last line`)
})

t.test('a script awaiting a report while a background check\'s first run hangs gets its answer at the timeout', async t => {
  const { code, stdout, stderr } = await runTs(t, 'test/fixtures/background-first-run.ts')
  t.equal(code, 0, stderr)
  t.match(JSON.parse(stdout), { status: 'error', error: 'timed out after 300 ms' }, 'the report arrived before the script ended')
})

t.test('asked before the app is ready, a background check runs once and its schedule then starts from that run', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let first: Deferred<boolean> | undefined
  app.addHealthCheck('db', () => { calls++; first = deferred(); return first.promise }, { interval: 1000, timeout: 5000 })
  const clock = fakeClock(t)
  const report = app.runHealthChecks()
  t.equal(calls, 1, 'run at once, as nothing else will run it yet')
  await app.ready()
  t.equal(calls, 1, 'onReady does not start a second run while that one is in flight')
  first?.resolve(true)
  t.equal((await report).checks?.db?.status, 'pass')
  await clock.tickAsync(1000)
  t.equal(calls, 2, 'then one run per interval')
})

t.test('asked after the app closed, a background check that never ran is run for that answer alone', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addHealthCheck('db', () => { calls++; return false }, { interval: 1000 })
  const clock = fakeClock(t)
  await app.close()
  const calledByClose = calls
  t.equal((await app.runHealthChecks()).checks?.db?.status, 'fail')
  t.equal(calls, calledByClose + 1)
  await clock.tickAsync(5000)
  t.equal(calls, calledByClose + 1, 'and nothing is scheduled')
})
