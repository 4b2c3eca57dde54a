import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'

// A background result older than staleAfter (default 2 × interval + timeout) is reported as an error: the scheduler
// is not producing results (a blocked event loop, a run that hangs), so the last one can no longer be trusted.

/** Keeps the event loop busy for `ms` of real time: no timer can fire meanwhile, which is the subject here. */
function block (ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* busy */ }
}

t.test('a blocked event loop makes background results stale', async t => {
  const { app } = await buildApp(t)
  // Each check says when it runs, so that the test can wait for the runs after the block.
  const ran = new Map<string, () => void>()
  const check = (name: string) => (): boolean => { ran.get(name)?.(); return true }
  const nextRuns = async (): Promise<void> => {
    await Promise.all(['defaults', 'explicit', 'patient', 'optional'].map(async name => {
      const run = deferred<void>()
      ran.set(name, run.resolve)
      await run.promise
    }))
  }
  app.addHealthCheck('defaults', check('defaults'), { interval: 20, timeout: 10 })
  app.addHealthCheck('explicit', check('explicit'), { interval: 20, timeout: 10, staleAfter: 100 })
  app.addHealthCheck('patient', check('patient'), { interval: 20, staleAfter: 10_000 })
  app.addHealthCheck('optional', check('optional'), { interval: 20, timeout: 10, staleAfter: 100, critical: false })
  await app.ready()
  t.equal((await app.runHealthChecks()).status, 'healthy')

  block(250)
  // Asked in the same turn, before the overdue ticks can run.
  const report = await app.runHealthChecks()
  t.equal(report.status, 'unhealthy')
  const { defaults, explicit, patient, optional } = report.checks ?? {}
  t.match(defaults, { status: 'error', error: /^stale: last result \d+\.\d s old$/ })
  const age = Number(/(\d+\.\d) s/.exec(defaults.error as string)?.[1])
  t.ok(age >= 0.2, `the age shown (${age} s) covers the 250 ms the loop was blocked`)
  t.equal(defaults.since, Math.round(defaults.timestamp * 1000 + 50) / 1000, 'default staleAfter: 2 × 20 ms + 10 ms; since = when the result went stale')
  t.match(explicit, { status: 'error', error: /^stale: / })
  t.equal(explicit.since, Math.round(explicit.timestamp * 1000 + 100) / 1000, 'staleAfter: 100 ms')
  t.equal(patient.status, 'pass', 'a result younger than its staleAfter is still shown')
  t.match(optional, { status: 'error', critical: false })
  t.notOk('critical' in defaults)

  // The overdue ticks run as soon as the loop is free, and the next answer is fresh again.
  await nextRuns()
  const fresh = await app.runHealthChecks()
  t.equal(fresh.status, 'healthy')
  t.same(Object.values(fresh.checks ?? {}).map(entry => entry.status), ['pass', 'pass', 'pass', 'pass'])
})

t.test('a background run that hangs longer than staleAfter makes the previous result stale until it times out', async t => {
  const { app } = await buildApp(t)
  let runs = 0
  app.addReadyCheck('db', () => { runs++; return runs === 1 ? true : new Promise<boolean>(() => {}) },
    { interval: 100, timeout: 450, staleAfter: 500 })
  const clock = fakeClock(t)
  await app.ready()
  const at = Date.now() / 1000
  await clock.tickAsync(500)
  t.equal((await app.inject('/health/ready')).statusCode, 200, '500 ms old: not stale yet')
  await clock.tickAsync(1)
  const res = await app.inject('/health/ready/db')
  t.equal(res.statusCode, 503)
  t.same(res.json().checks.db, { status: 'error', error: 'stale: last result 0.5 s old', timestamp: at, since: at + 0.5, duration: 0 })
  t.equal(runs, 2, 'ticks were skipped while the second run hung')
  await clock.tickAsync(48)
  t.match((await app.runReadyChecks()).checks?.db, { error: 'stale: last result 0.5 s old' }, 'still stale while the run hangs')
  await clock.tickAsync(1)
  t.match((await app.runReadyChecks()).checks?.db, { status: 'error', error: 'timed out after 450 ms' }, 'the run timed out (at 100 + 450 ms): a fresh result again')
})
