import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { HealthReportSchema, ReadyReportSchema } from '../lib/formats/schema'
import type { CheckKind } from '../lib/types'
import { buildApp, isSecondsWithMs } from './helpers/app'
import { deferred, watchProcess } from './helpers/async'
import { fakeClock } from './helpers/clock'

/** mulberry32: small, fast, good enough to draw outcomes; the same starting state replays the same runs. */
function prng (state: number): () => number {
  let a = state >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const OUTCOMES = ['pass', 'pass-async', 'fail', 'fail-async', 'throw', 'reject', 'hang', 'non-boolean', 'non-boolean-async', 'slow'] as const
type Outcome = typeof OUTCOMES[number]

const TIMEOUT = 20
const RUNS = 200
const CHECKS = 6
// The generator's starting state: RANDOM_STATE=<n> replays a run; under CI=true it is fixed, so that CI is repeatable.
const CI_STATE = 20251125
const state = process.env.RANDOM_STATE !== undefined
  ? Number(process.env.RANDOM_STATE)
  : process.env.CI === 'true' ? CI_STATE : Date.now() % 2 ** 32
const replay = `RANDOM_STATE=${state}`

function expected (outcome: Outcome, run: number, name: string): { status: 'pass' | 'fail' | 'error', error?: string } {
  switch (outcome) {
    case 'pass':
    case 'pass-async':
    case 'slow': return { status: 'pass' }
    case 'fail':
    case 'fail-async': return { status: 'fail' }
    case 'throw': return { status: 'error', error: `thrown ${name} #${run}` }
    case 'reject': return { status: 'error', error: `rejected ${name} #${run}` }
    case 'hang': return { status: 'error', error: `timed out after ${TIMEOUT} ms` }
    case 'non-boolean':
    case 'non-boolean-async': return { status: 'error', error: `check returned the number ${run}; expected a boolean` }
  }
}

t.test(`randomised runs (replay with ${replay})`, async t => {
  const seen = watchProcess(t)
  const random = prng(state)
  const { app } = await buildApp(t, { timeout: TIMEOUT })
  t.teardown(() => { if (!t.passing()) console.error(`# randomised runs failed; replay with ${replay} npx tap test/randomised.test.ts`) })
  // Hung checks time out and slow ones settle on this clock: the runs take no real time, and the order of the two is
  // fixed (a slow check settles before the timeout, whatever the machine's load).
  const clock = fakeClock(t)
  let invoked = 0
  let allInvoked = deferred<void>()
  let expecting = 0

  // Fixed per check: kind and criticality. Drawn per run: the outcome.
  const checks = Array.from({ length: CHECKS }, (_, i) => ({
    name: `check-${i}`,
    kind: (random() < 0.5 ? 'health' : 'ready') as CheckKind,
    critical: random() < 0.7,
    outcome: 'pass' as Outcome,
    calls: 0
  }))
  // Both kinds get at least one check.
  checks[0].kind = 'health'
  checks[1].kind = 'ready'
  let run = 0
  for (const check of checks) {
    const register = check.kind === 'health' ? app.addHealthCheck : app.addReadyCheck
    register.call(app, check.name, () => {
      check.calls++
      if (++invoked === expecting) allInvoked.resolve()
      const r = run
      switch (check.outcome) {
        case 'pass': return true
        case 'pass-async': return Promise.resolve(true)
        case 'fail': return false
        case 'fail-async': return (async () => false)()
        case 'throw': throw new Error(`thrown ${check.name} #${r}`)
        case 'reject': return Promise.reject(new Error(`rejected ${check.name} #${r}`))
        case 'hang': return new Promise<boolean>(() => {})
        case 'non-boolean': return r as never
        case 'non-boolean-async': return Promise.resolve(r as never)
        case 'slow': return new Promise<boolean>(resolve => setTimeout(resolve, 2, true))
      }
    }, { critical: check.critical })
  }

  const tally = new Map<Outcome, number>()
  let mismatches = 0
  for (run = 0; run < RUNS; run++) {
    const kind: CheckKind = random() < 0.5 ? 'health' : 'ready'
    const members = checks.filter(c => c.kind === kind)
    for (const check of members) {
      check.outcome = OUTCOMES[Math.floor(random() * OUTCOMES.length)]
      tally.set(check.outcome, (tally.get(check.outcome) ?? 0) + 1)
    }
    const callsBefore = members.map(c => c.calls)
    invoked = 0
    expecting = members.length
    allInvoked = deferred<void>()
    const pending = app.inject(kind === 'health' ? '/health' : '/health/ready')
    await allInvoked.promise
    await clock.tickAsync(TIMEOUT)
    const res = await pending
    const report = res.json()
    const where = `run ${run} (${kind}: ${members.map(c => `${c.name}=${c.outcome}${c.critical ? '' : '/non-critical'}`).join(', ')})`

    const problems: string[] = []
    if (!Value.Check(kind === 'health' ? HealthReportSchema : ReadyReportSchema, report)) problems.push('schema')
    const ok = members.every(c => !c.critical || expected(c.outcome, run, c.name).status === 'pass')
    if (res.statusCode !== (ok ? 200 : 503)) problems.push(`code ${res.statusCode}`)
    const words = kind === 'health' ? ['healthy', 'unhealthy'] : ['ready', 'not_ready']
    if (report.status !== (ok ? words[0] : words[1])) problems.push(`status ${String(report.status)}`)
    if (!isSecondsWithMs(report.timestamp)) problems.push('report timestamp')
    if (JSON.stringify(Object.keys(report.checks ?? {})) !== JSON.stringify(members.map(c => c.name))) problems.push('check names')
    members.forEach((c, i) => {
      if (c.calls !== callsBefore[i] + 1) problems.push(`${c.name} invoked ${c.calls - callsBefore[i]} times`)
      const entry = report.checks?.[c.name]
      const want = expected(c.outcome, run, c.name)
      if (entry?.status !== want.status) problems.push(`${c.name} status ${String(entry?.status)} != ${want.status}`)
      if (entry?.error !== want.error) problems.push(`${c.name} error ${String(entry?.error)} != ${String(want.error)}`)
      if ((entry?.critical === false) === c.critical) problems.push(`${c.name} critical flag`)
      if (!isSecondsWithMs(entry?.timestamp) || typeof entry?.duration !== 'number' || entry.duration < 0) problems.push(`${c.name} timing fields`)
    })
    // One assertion per run keeps the output readable; the message says what went wrong and how to replay it.
    if (problems.length > 0) {
      mismatches++
      t.fail(`${where}: ${problems.join('; ')} (replay with ${replay})`, { report })
    }
  }
  t.equal(mismatches, 0, `${RUNS} runs matched their expected reports`)
  t.ok(OUTCOMES.every(o => (tally.get(o) ?? 0) > 0), `every outcome drawn at least once: ${JSON.stringify(Object.fromEntries(tally))}`)
  await new Promise(resolve => setImmediate(resolve))
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(seen.warnings, [], 'no warning')
})
