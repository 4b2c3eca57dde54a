// app.health.setReady / setLive: the app's own vote on its readiness and liveness, shown as an `availability` entry,
// reported once per transition (onStatusChange and one log line), and without effect on the other probe.
import t, { type Test } from 'tap'
import { MAX_ERROR_LENGTH } from '../lib/error-message'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { statusLines } from './helpers/logs'

async function setUp (t: Test, options = {}): Promise<Awaited<ReturnType<typeof buildApp>> & { events: StatusChangeEvent[] }> {
  const events: StatusChangeEvent[] = []
  const built = await buildApp(t, { onStatusChange: event => { events.push(event) }, ...options })
  built.app.addReadyCheck('database', () => true)
  built.app.addHealthCheck('loop', () => true)
  await built.app.ready()
  return { ...built, events }
}

const VOTES = [
  { vote: 'setReady', route: '/health/ready', other: '/health', kind: 'ready', check: 'database', bad: 'not_ready', good: 'ready', fallback: 'marked not ready' },
  { vote: 'setLive', route: '/health', other: '/health/ready', kind: 'health', check: 'loop', bad: 'unhealthy', good: 'healthy', fallback: 'marked not live' }
] as const

for (const v of VOTES) {
  t.test(`${v.vote}(false) / ${v.vote}(true)`, async t => {
    const { app, log, events } = await setUp(t)
    const set = app.health[v.vote]

    set(false)
    const res = await app.inject(v.route)
    t.equal(res.statusCode, 503)
    t.equal(res.json().status, v.bad)
    t.same(Object.keys(res.json().checks), [v.check, 'availability'], 'its checks still run, the vote comes after them')
    t.same(res.json().checks.availability, { status: 'fail', error: v.fallback, timestamp: res.json().timestamp, duration: 0 })
    t.match(res.json().checks[v.check], { status: 'pass' })
    t.equal((await app.inject(v.other)).statusCode, 200, 'the other probe is not affected')
    t.equal((await app.inject(`${v.route}/${v.check}`)).statusCode, 200, 'a per-check route answers for its check alone')
    t.equal((await app.inject({ method: 'HEAD', url: v.route })).statusCode, 503)
    const report = v.kind === 'ready' ? await app.runReadyChecks() : await app.runHealthChecks()
    t.match(report, { status: v.bad, checks: { availability: { error: v.fallback } } }, 'the run decorator agrees')

    set(false) // the same vote again: no transition
    set(false, 'draining connections')
    t.match((await app.inject(v.route)).json().checks.availability, { error: 'draining connections' }, 'the reason shows')

    set(true)
    const back = await app.inject(v.route)
    t.equal(back.statusCode, 200)
    t.equal(back.json().status, v.good)
    t.same(Object.keys(back.json().checks), [v.check], 'no availability entry any more')
    set(true) // no transition

    const votes = events.filter(event => event.name === 'availability')
    t.match(votes, [
      { name: 'availability', kind: v.kind, previous: 'pass', status: 'fail', error: v.fallback, duration: 0, critical: true },
      { name: 'availability', kind: v.kind, previous: 'fail', status: 'fail', error: 'draining connections' },
      { name: 'availability', kind: v.kind, previous: 'fail', status: 'pass' }
    ])
    t.equal(votes.length, 3, 'one event per transition, none for a repeated vote')
    t.notOk('error' in votes[2], 'no error once back')
    const lines = statusLines(log.lines).filter(line => line.healthCheck.name === 'availability')
    t.same(lines.map(line => [line.level, line.msg]), [
      [40, `fastify-health: ${v.kind} check "availability" failed: ${v.fallback}`],
      [40, `fastify-health: ${v.kind} check "availability" failed: draining connections`],
      [30, `fastify-health: ${v.kind} check "availability" passes again`]
    ], 'each transition logged once')
  })

  t.test(`${v.vote}(false, reason): an empty or non-string reason falls back to "${v.fallback}"`, async t => {
    const { app } = await setUp(t)
    for (const reason of ['', 42, undefined]) {
      app.health[v.vote](false, reason as string)
      t.match((await app.inject(v.route)).json().checks.availability, { error: v.fallback }, `reason ${JSON.stringify(reason)}`)
      app.health[v.vote](true)
    }
  })

  t.test(`${v.vote}(false, reason): the reason follows the rule of every error text, clipped and without a stack`, async t => {
    const { app, events } = await setUp(t)
    const err = new Error('pool exhausted')
    app.health[v.vote](false, err.stack)
    const stacked = (await app.inject(v.route)).json().checks.availability
    t.equal(stacked.error, 'Error: pool exhausted', 'the stack frames are cut')
    t.equal(events.filter(event => event.name === 'availability').at(-1)?.error, 'Error: pool exhausted', 'the event carries the same text')
    app.health[v.vote](false, 'r'.repeat(5000))
    const long = (await app.inject(v.route)).json().checks.availability.error
    t.equal(long, 'r'.repeat(MAX_ERROR_LENGTH - 1) + '…', 'cut to MAX_ERROR_LENGTH')
    app.health[v.vote](false, '\n    at f (/srv/app.js:1:2)')
    t.match((await app.inject(v.route)).json().checks.availability, { error: v.fallback }, 'frames only: the default reason')
  })
}

t.test('both votes at once, with details hidden and with ?exclude=', async t => {
  const { app } = await setUp(t, { exposeDetails: (request: { headers: Record<string, unknown> }) => request.headers['x-internal'] === '1' })
  app.health.setReady(false, 'maintenance')
  app.health.setLive(false, 'wedged')
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.same(Object.keys(ready.json()), ['status', 'timestamp'], 'no details for this request')
  const excluded = await app.inject({ url: '/health/ready?exclude=database', headers: { 'x-internal': '1' } })
  t.equal(excluded.statusCode, 503, 'excluding checks does not exclude the vote')
  t.same(Object.keys(excluded.json().checks), ['availability'])
  const live = await app.inject({ url: '/health', headers: { 'x-internal': '1' } })
  t.equal(live.statusCode, 503)
  t.match(live.json().checks.availability, { error: 'wedged' })
  const verbose = await app.inject({ url: '/health?verbose', headers: { 'x-internal': '1' } })
  t.match(verbose.body, /\[-\]availability failed: wedged\n/)
})

t.test('votes after the app closed change nothing and report nothing', async t => {
  const { app, events } = await setUp(t)
  await app.close()
  app.health.setReady(false)
  app.health.setLive(false)
  t.same(events, [])
})
