import t from 'tap'
import { DAY, History, HISTORY_SIZE, HOUR } from '../lib/registry/history'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

// A check's history: its last status changes in a ring of fixed size, and the share of the last hour and day it spent
// passing (pass or warn), computed from those changes against the clock the history is given.

const MIN = 60_000

t.test('the ring keeps the last HISTORY_SIZE changes, oldest first', async t => {
  const history = new History(() => 0)
  t.equal(history.latest, undefined)
  t.same(history.changes(), [])
  for (let i = 0; i < HISTORY_SIZE + 7; i++) history.record(i % 2 === 0 ? 'pass' : 'fail', i === 0 ? null : i % 2 === 0 ? 'fail' : 'pass', i, i % 2 === 0 ? undefined : `failure ${i}`)
  const changes = history.changes()
  t.equal(changes.length, HISTORY_SIZE, 'bounded')
  t.same(changes.map(c => c.timestamp), Array.from({ length: HISTORY_SIZE }, (_, i) => i + 7), 'the oldest 7 were dropped, the rest in order')
  t.same(changes[0], { status: 'fail', previous: 'pass', timestamp: 7, error: 'failure 7' })
  t.same(changes[1], { status: 'pass', previous: 'fail', timestamp: 8 }, 'no error key on a pass')
  t.same(history.latest, changes[HISTORY_SIZE - 1], 'latest is the newest')
  t.same(history.latest, { status: 'pass', previous: 'fail', timestamp: HISTORY_SIZE + 6 })

  const small = new History(() => 0, 3)
  for (const ts of [1, 2, 3, 4]) small.record('pass', null, ts)
  t.same(small.changes().map(c => c.timestamp), [2, 3, 4], 'any size: the ring wraps')
})

t.test('uptime: null before data, the current status at the first instant, then the share of time passing', async t => {
  const clock = fakeClock(t)
  const start = Date.now()
  const history = new History(() => Date.now())
  t.equal(history.uptime(HOUR), null, 'no data')
  t.same(history.answer('db'), { name: 'db', status: null, since: null, uptime: { '1h': null, '24h': null }, changes: [] })

  history.record('fail', null, start / 1000)
  t.equal(history.uptime(HOUR), 0, 'at the moment of the first change: its status (failing)')
  await clock.tickAsync(10 * MIN)
  history.record('pass', 'fail', Date.now() / 1000)
  await clock.tickAsync(30 * MIN)
  t.equal(history.uptime(HOUR), 30 / 40, '10 min failing then 30 passing: only the 40 min with data count')
  t.equal(history.uptime(DAY), 30 / 40)
  history.record('warn', 'pass', Date.now() / 1000)
  await clock.tickAsync(20 * MIN)
  // Now 60 min after the first change: the hour is exactly the history.
  t.equal(history.uptime(HOUR), 50 / 60, 'warn counts as passing')
  await clock.tickAsync(30 * MIN)
  // The hour window now starts 30 min after the first change: 0-10 fail and 10-30 pass are out of it.
  t.equal(history.uptime(HOUR), 1, 'the failure has left the last hour')
  t.equal(history.uptime(DAY), 80 / 90, 'but not the last day')
  const answer = history.answer('db')
  t.same(answer.uptime, { '1h': 1, '24h': 80 / 90 })
  t.equal(answer.status, 'warn')
  t.equal(answer.since, (start + 40 * MIN) / 1000, 'since the latest change')

  const late = new History(() => start, 5)
  late.record('pass', null, start / 1000 + 60)
  t.equal(late.uptime(HOUR), 1, 'a change stamped after now (a clock step back) counts as now')
})

t.test('uptime of a check that flapped, and after the ring dropped its oldest changes', async t => {
  const clock = fakeClock(t)
  const history = new History(() => Date.now(), 4)
  // pass 1 min, fail 1 min, pass 1 min, fail 1 min, pass 1 min, fail 1 min, then pass for 4 min.
  const statuses = ['pass', 'fail', 'pass', 'fail', 'pass', 'fail', 'pass'] as const
  for (let i = 0; i < statuses.length; i++) {
    history.record(statuses[i], i === 0 ? null : statuses[i - 1], Date.now() / 1000)
    await clock.tickAsync(i === statuses.length - 1 ? 4 * MIN : MIN)
  }
  // Kept: fail (min 3), pass (min 4), fail (min 5), pass (min 6 to 10): 7 min of data, 5 of them passing.
  t.equal(history.changes().length, 4)
  t.equal(history.uptime(HOUR), 5 / 7, 'time before the oldest change kept is not counted')
  t.equal(history.uptime(3 * MIN), 1, 'a window shorter than the last status')
  t.equal(history.uptime(5 * MIN), 4 / 5, 'a window that starts inside a failure')
})

t.test('GET {path}/{name}?history on the per-check routes of every kind', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  app.addReadyCheck('queue', () => ok ? true : { status: 'fail', output: 'queue unreachable' })
  app.addStartupCheck('migrations', () => true)
  const clock = fakeClock(t)
  const start = Date.now()

  const before = await app.inject('/health/db?history')
  t.equal(before.statusCode, 200)
  t.same(before.json(), { name: 'db', status: null, since: null, uptime: { '1h': null, '24h': null }, changes: [] }, 'no run yet')

  await app.inject('/health/ready')
  await clock.tickAsync(15 * MIN)
  ok = false
  await app.inject('/health')
  await app.inject('/health/ready')
  await clock.tickAsync(5 * MIN)
  ok = true
  await app.inject('/health/ready')
  await clock.tickAsync(5 * MIN)

  const queue = await app.inject('/health/ready/queue?history')
  t.equal(queue.statusCode, 200)
  t.equal(queue.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(queue.headers['cache-control'], 'no-store')
  t.same(queue.json(), {
    name: 'queue',
    status: 'pass',
    since: (start + 20 * MIN) / 1000,
    uptime: { '1h': 20 / 25, '24h': 20 / 25 },
    changes: [
      { status: 'pass', previous: null, timestamp: start / 1000 },
      { status: 'fail', previous: 'pass', timestamp: (start + 15 * MIN) / 1000, error: 'queue unreachable' },
      { status: 'pass', previous: 'fail', timestamp: (start + 20 * MIN) / 1000 }
    ]
  })
  const db = (await app.inject('/health/db?history')).json()
  t.same(db.changes, [{ status: 'fail', previous: null, timestamp: (start + 15 * MIN) / 1000 }], 'liveness: one run, failing')
  t.same(db.uptime, { '1h': 0, '24h': 0 })
  const migrations = (await app.inject('/health/started/migrations?history')).json()
  t.equal(migrations.status, 'pass', 'startup checks too')
  t.equal(migrations.changes.length, 1)
  t.equal((await app.inject('/health/nope?history')).statusCode, 404, 'unknown names stay 404')

  t.same(app.health.history('queue'), queue.json(), 'app.health.history() answers the same')
  t.equal(app.health.history('migrations')?.status, 'pass')
  t.equal(app.health.history('nope'), undefined)
})

t.test('?history is hidden when the details are', async t => {
  for (const exposeDetails of [false, () => false]) {
    const { app } = await buildApp(t, { exposeDetails })
    app.addHealthCheck('db', () => true)
    await app.inject('/health')
    const res = await app.inject('/health/db?history')
    t.equal(res.statusCode, 404, `${typeof exposeDetails}: 404 as for every per-check route`)
    t.notMatch(res.body, /changes|uptime/, 'no history in the answer')
    t.equal(app.health.history('db')?.status, 'pass', 'the app itself may still read it')
  }
  const { app } = await buildApp(t, { exposeDetails: request => request.headers.authorization === 'Bearer ops' })
  app.addHealthCheck('db', () => true)
  await app.inject('/health')
  t.equal((await app.inject({ url: '/health/db?history', headers: { authorization: 'Bearer ops' } })).json().status, 'pass', 'shown when the policy allows')
})

t.test('?history on the probe route itself is ignored: the usual answer', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => true)
  const res = await app.inject('/health?history')
  t.match(res.json(), { status: 'healthy', checks: { db: { status: 'pass' } } })
})
