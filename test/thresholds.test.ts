import t from 'tap'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred, type Deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { scripted, type Outcome } from './helpers/scripted'
import { statusLines } from './helpers/logs'

// The effective status (the one reports, logs and events show) leaves pass only after failureThreshold non-passing
// observations in a row and comes back after successThreshold passes; the first observation sets it directly.

const transitions = (events: StatusChangeEvent[]): string[] => events.map(e => `${e.previous ?? 'none'}>${e.status}`)

t.test('failureThreshold: pass is left only after that many failing observations in a row', async t => {
  const events: StatusChangeEvent[] = []
  const { app, log } = await buildApp(t, { onStatusChange: e => { events.push(e) } })
  const disk = scripted()
  app.addHealthCheck('disk', disk.fn, { failureThreshold: 3 })
  const clock = fakeClock(t)

  t.same((await app.inject('/health')).json().checks.disk, { status: 'pass', timestamp: Date.now() / 1000, duration: 0 })
  disk.set({ status: 'fail', output: 'disk full' })
  for (let i = 1; i <= 2; i++) {
    await clock.tickAsync(1000)
    const res = await app.inject('/health')
    t.equal(res.statusCode, 200, `failure ${i} of 3: still healthy`)
    t.same(res.json().checks.disk, { status: 'pass', observed: 'fail', error: 'disk full', timestamp: Date.now() / 1000, duration: 0 },
      'the effective status, the latest observation and its error')
  }
  t.same(statusLines(log.lines), [], 'nothing logged while the threshold holds')
  t.same(transitions(events), ['none>pass'])

  await clock.tickAsync(1000)
  const failing = await app.inject('/health')
  t.equal(failing.statusCode, 503, 'the third failure in a row changes the effective status')
  t.same(failing.json().checks.disk, { status: 'fail', error: 'disk full', timestamp: Date.now() / 1000, duration: 0, since: Date.now() / 1000 })
  t.same(transitions(events), ['none>pass', 'pass>fail'])
  t.match(statusLines(log.lines), [{ level: 40, msg: 'fastify-health: health check "disk" failed: disk full' }])
  t.equal((await app.inject('/health/disk')).statusCode, 503, 'the per-check route follows the effective status')
})

t.test('a pass in between starts the count again', async t => {
  const { app } = await buildApp(t)
  const db = scripted()
  app.addReadyCheck('db', db.fn, { failureThreshold: 3 })
  await app.runReadyChecks()
  const seen: string[] = []
  for (const outcome of [false, 'throw', true, false, false, 'throw'] as Outcome[]) {
    db.set(outcome)
    const entry = (await app.runReadyChecks()).checks?.db
    seen.push(`${entry?.status}/${entry?.observed ?? '-'}`)
  }
  t.same(seen, ['pass/fail', 'pass/error', 'pass/-', 'pass/fail', 'pass/fail', 'error/-'])
})

t.test('successThreshold: a failing check comes back after that many passes in a row; since stays put meanwhile', async t => {
  const events: StatusChangeEvent[] = []
  const { app, log } = await buildApp(t, { onStatusChange: e => { events.push(e) } })
  const db = scripted(false)
  app.addReadyCheck('db', db.fn, { failureThreshold: 2, successThreshold: 2 })
  const clock = fakeClock(t)
  const began = Date.now() / 1000

  const first = (await app.inject('/health/ready')).json().checks.db
  t.same(first, { status: 'fail', timestamp: began, duration: 0, since: began }, 'the first observation sets the status directly')

  db.set(true)
  await clock.tickAsync(1000)
  const held = await app.inject('/health/ready')
  t.equal(held.statusCode, 503)
  t.same(held.json().checks.db, { status: 'fail', observed: 'pass', timestamp: began + 1, duration: 0, since: began })

  await clock.tickAsync(1000)
  const back = await app.inject('/health/ready')
  t.equal(back.statusCode, 200)
  t.same(back.json().checks.db, { status: 'pass', timestamp: began + 2, duration: 0 }, 'no since, no observed once back')
  t.same(transitions(events), ['none>fail', 'fail>pass'])
  t.same(statusLines(log.lines).map(l => l.msg), [
    'fastify-health: ready check "db" failed',
    'fastify-health: ready check "db" passes again'
  ])
})

t.test('within a side the status follows at once: warn counts as passing, fail and error are both failing', async t => {
  const events: StatusChangeEvent[] = []
  const { app } = await buildApp(t, { onStatusChange: e => { events.push(e) } })
  const c = scripted()
  app.addHealthCheck('c', c.fn, { failureThreshold: 2, successThreshold: 2 })
  const clock = fakeClock(t)
  await app.runHealthChecks()
  c.set({ status: 'warn', output: 'slow' })
  const warn = (await app.runHealthChecks()).checks?.c
  t.same(warn, { status: 'warn', output: 'slow', timestamp: Date.now() / 1000, duration: 0, since: Date.now() / 1000 },
    'warn at once; since, as for any effective status other than pass')
  c.set(false)
  await app.runHealthChecks()
  c.set(false)
  await clock.tickAsync(1000)
  t.match((await app.runHealthChecks()).checks?.c, { status: 'fail', since: Date.now() / 1000 })
  c.set('throw')
  t.match((await app.runHealthChecks()).checks?.c, { status: 'error', error: 'connection refused' })
  t.same(transitions(events), ['none>pass', 'pass>warn', 'warn>fail', 'fail>error'])
})

t.test('the plugin\'s thresholds are the default of every check, and a check may override them', async t => {
  const { app } = await buildApp(t, { failureThreshold: 3, successThreshold: 2 })
  const a = scripted()
  const b = scripted()
  app.addHealthCheck('a', a.fn)
  app.addHealthCheck('b', b.fn, { failureThreshold: 1 })
  await app.runHealthChecks()
  a.set(false)
  b.set(false)
  const report = await app.runHealthChecks()
  t.equal(report.checks?.a?.status, 'pass', 'a holds (plugin default 3)')
  t.equal(report.checks?.b?.status, 'fail', 'b does not (its own 1)')
  await app.runHealthChecks()
  t.equal((await app.runHealthChecks()).checks?.a?.status, 'fail')
  a.set(true)
  t.equal((await app.runHealthChecks()).checks?.a?.status, 'fail', 'one pass is not enough (plugin default 2)')
  t.equal((await app.runHealthChecks()).checks?.a?.status, 'pass')
})

t.test('a run shared by concurrent requests is one observation', async t => {
  const { app } = await buildApp(t)
  const runs: Array<Deferred<boolean>> = []
  let started = deferred<void>()
  app.addReadyCheck('db', () => {
    const d = deferred()
    runs.push(d)
    started.resolve()
    return d.promise
  }, { failureThreshold: 2 })
  /** Waits for the next run of the check to start and returns it. */
  const nextRun = async (): Promise<Deferred<boolean>> => {
    await started.promise
    started = deferred<void>()
    return runs[runs.length - 1]
  }

  const first = app.inject('/health/ready')
  ;(await nextRun()).resolve(true)
  await first
  const probes = Promise.all(Array.from({ length: 5 }, async () => await app.inject('/health/ready')))
  ;(await nextRun()).resolve(false)
  for (const res of await probes) t.match(res.json().checks.db, { status: 'pass', observed: 'fail' })
  t.equal(runs.length, 2, 'five requests, one run')
  const next = app.inject('/health/ready')
  ;(await nextRun()).resolve(false)
  t.match((await next).json().checks.db, { status: 'fail' }, 'the next run is the second observation')
})

t.test('a cached run is one observation', async t => {
  const { app } = await buildApp(t, { cacheTtl: 1000 })
  const db = scripted()
  app.addReadyCheck('db', db.fn, { failureThreshold: 2 })
  const clock = fakeClock(t)
  await app.inject('/health/ready')
  await clock.tickAsync(1000)
  db.set(false)
  for (let i = 0; i < 5; i++) t.match((await app.inject('/health/ready')).json().checks.db, { status: 'pass', observed: 'fail' })
  t.equal(db.calls(), 2)
  await clock.tickAsync(1000)
  t.match((await app.inject('/health/ready')).json().checks.db, { status: 'fail' })
  t.equal(db.calls(), 3)
})

t.test('background checks count each run once, whatever the number of probes', async t => {
  const events: StatusChangeEvent[] = []
  const { app, log } = await buildApp(t, { onStatusChange: e => { events.push(e) } })
  const db = scripted()
  app.addReadyCheck('db', db.fn, { interval: 100, failureThreshold: 3, successThreshold: 2 })
  const clock = fakeClock(t)
  await app.ready()
  db.set(false)
  for (let tick = 1; tick <= 2; tick++) {
    await clock.tickAsync(100)
    for (let i = 0; i < 10; i++) t.match((await app.inject('/health/ready')).json().checks.db, { status: 'pass', observed: 'fail' })
  }
  await clock.tickAsync(100)
  t.match((await app.inject('/health/ready')).json().checks.db, { status: 'fail', since: Date.now() / 1000 })
  db.set(true)
  await clock.tickAsync(100)
  t.match((await app.inject('/health/ready')).json().checks.db, { status: 'fail', observed: 'pass' })
  await clock.tickAsync(100)
  t.match((await app.inject('/health/ready')).json().checks.db, { status: 'pass', observed: undefined, since: undefined })
  t.same(transitions(events), ['none>pass', 'pass>fail', 'fail>pass'])
  t.equal(statusLines(log.lines).length, 2)
})

t.test('a plain check answers byte for byte as before: no since, no observed', async t => {
  const { app } = await buildApp(t)
  const db = scripted(false)
  app.addHealthCheck('db', db.fn)
  app.addHealthCheck('cache', () => { throw new Error('boom') }, { critical: false })
  app.addHealthCheck('up', () => true, { failureThreshold: 1, successThreshold: 1 })
  const clock = fakeClock(t)
  for (let i = 0; i < 3; i++) {
    await clock.tickAsync(1000)
    const now = Date.now() / 1000
    const res = await app.inject('/health')
    t.equal(res.body,
      `{"status":"unhealthy","timestamp":${now},"checks":{` +
      `"db":{"status":"fail","timestamp":${now},"duration":0},` +
      `"cache":{"status":"error","timestamp":${now},"duration":0,"error":"boom","critical":false},` +
      `"up":{"status":"pass","timestamp":${now},"duration":0}}}`)
  }
  db.set(true)
  await app.inject('/health')
  db.set(false)
  t.notOk('since' in ((await app.runHealthChecks()).checks?.db ?? {}), 'a failing plain check has no since after a change either')
})
