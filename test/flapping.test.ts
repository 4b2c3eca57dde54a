import t from 'tap'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import { statusLines } from './helpers/logs'

// A check that keeps changing logs at most 5 status-change lines in any 60 s; the changes past those are counted and
// summed up in one line when the oldest of those lines is 60 s old. onStatusChange still gets every change.

t.test('a flapping check logs 5 changes, then one summary line when the 60 s are over', async t => {
  const events: StatusChangeEvent[] = []
  const { app, log } = await buildApp(t, { onStatusChange: e => { events.push(e) } })
  let ok = true
  app.addHealthCheck('db', () => ok)
  const clock = fakeClock(t)
  await app.inject('/health')
  t.same(statusLines(log.lines), [], 'a first run that passes is not news')

  for (let i = 0; i < 9; i++) {
    await clock.tickAsync(1000)
    ok = !ok
    await app.inject('/health')
  }
  t.equal(events.length, 10, 'onStatusChange got the first run and all 9 changes')
  const logged = statusLines(log.lines)
  t.same(logged.map(l => l.msg), [
    'fastify-health: health check "db" failed',
    'fastify-health: health check "db" passes again',
    'fastify-health: health check "db" failed',
    'fastify-health: health check "db" passes again',
    'fastify-health: health check "db" failed'
  ], 'five lines, then silence')

  // The first line was logged 1 s after the start: it leaves the window 61 s after the start, 52 s from now.
  await clock.tickAsync(51_999)
  t.equal(statusLines(log.lines).length, 5)
  await clock.tickAsync(1)
  const summary = statusLines(log.lines)[5]
  // In the 60 s that end now: the changes at 2 s to 5 s (logged) and at 6 s to 9 s (not).
  t.equal(summary?.msg, 'fastify-health: health check "db" flapping: 8 changes in 60 s, now fail')
  t.equal(summary?.level, 40)
  t.same(summary?.healthCheck, { name: 'db', kind: 'health', status: 'fail', changes: 8 })

  // Room for one line again.
  ok = true
  await app.inject('/health')
  t.equal(statusLines(log.lines)[6]?.msg, 'fastify-health: health check "db" passes again')
  t.equal(events.length, 11)
})

t.test('never more than 5 change lines in any 60 s, also across the end of a window', async t => {
  const { app, log } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  const clock = fakeClock(t)
  const start = Date.now()
  await app.inject('/health')
  const flip = async (at: number): Promise<void> => {
    await clock.tickAsync(start + at * 1000 - Date.now())
    ok = !ok
    await app.inject('/health')
  }
  // One line at 0 s, four at 55 s to 58 s: five in 60 s. At 61 s the first is out of the window: room for one line.
  for (const at of [0, 55, 56, 57, 58, 61, 62, 63]) await flip(at)
  const changeLines = (): number[] => statusLines(log.lines).filter(l => !/flapping/.test(l.msg)).map(l => (l.time - start) / 1000)
  t.same(changeLines(), [0, 55, 56, 57, 58, 61], 'the changes at 62 s and 63 s would be the 6th and 7th line since 55 s')
  await flip(114)
  t.equal(statusLines(log.lines).length, 6, 'still held back: the line of 55 s is in the window until 115 s')
  await clock.tickAsync(start + 115_000 - Date.now())
  const summary = statusLines(log.lines)[6]
  t.equal(summary?.msg, 'fastify-health: health check "db" flapping: 7 changes in 60 s, now fail',
    'at 115 s: the changes at 56, 57, 58, 61 s (logged) and 62, 63, 114 s (not)')
  t.equal((summary?.time - start) / 1000, 115)
  await flip(116)
  t.same(changeLines().slice(6), [116], 'then room again')

  const times = changeLines()
  for (const at of times) t.ok(times.filter(other => other >= at && other < at + 60).length <= 5, `the 60 s from the line at ${at} s`)
})

t.test('no summary when the window ends without suppressed changes; each check has its own window', async t => {
  const { app, log } = await buildApp(t)
  const ok = { a: true, b: true }
  app.addReadyCheck('a', () => ok.a)
  app.addReadyCheck('b', () => ok.b)
  const clock = fakeClock(t)
  await app.inject('/health/ready')
  for (let i = 0; i < 5; i++) {
    ok.a = !ok.a
    await app.inject('/health/ready')
  }
  ok.b = false
  await app.inject('/health/ready')
  t.equal(statusLines(log.lines).filter(l => l.healthCheck.name === 'a').length, 5, 'a: five lines, none suppressed')
  t.equal(statusLines(log.lines).filter(l => l.healthCheck.name === 'b').length, 1, 'b is not held back by a')
  await clock.tickAsync(120_000)
  t.equal(statusLines(log.lines).length, 6, 'no summary line')
  ok.a = !ok.a
  await app.inject('/health/ready')
  t.equal(statusLines(log.lines).length, 7, 'a later change opens a new window and is logged')
})

t.test('closing the app drops a pending summary', async t => {
  const { app, log } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  const clock = fakeClock(t)
  for (let i = 0; i < 8; i++) {
    ok = !ok
    await app.inject('/health')
  }
  t.equal(statusLines(log.lines).length, 5)
  await app.close()
  await clock.tickAsync(120_000)
  t.equal(statusLines(log.lines).length, 5, 'nothing is logged after close')
  t.equal(clock.countTimers(), 0, 'and no timer is left')
})

t.test('an irregular rhythm: no 60 s span holds more than 5 change lines, and a summary follows each held-back change', async t => {
  const { app, log } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  const clock = fakeClock(t)
  const start = Date.now()
  await app.inject('/health')
  // A fixed pseudo-random sequence of gaps between 0.1 s and 20 s, so that every run sees the same rhythm.
  let next = 7
  const gap = (): number => { next = (next * 16807) % 2147483647; return 100 + (next % 19_900) }
  let lastHeldBack = -1
  for (let i = 0; i < 300; i++) {
    await clock.tickAsync(gap())
    ok = !ok
    const before = log.lines.length
    await app.inject('/health')
    if (log.lines.length === before) lastHeldBack = Date.now() - start
  }
  await clock.tickAsync(60_000)
  const lines = statusLines(log.lines).map(l => ({ at: l.time - start, summary: /flapping/.test(l.msg) }))
  const changeTimes = lines.filter(l => !l.summary).map(l => l.at)
  const crowded = changeTimes.filter(at => changeTimes.filter(other => other >= at && other < at + 60_000).length > 5)
  t.same(crowded, [], 'no line starts a 60 s span with more than 5 change lines')
  t.ok(changeTimes.length < 300, `${300 - changeTimes.length} of 300 changes held back`)
  const summaries = lines.filter(l => l.summary).map(l => l.at)
  t.ok(summaries.length > 0 && summaries[summaries.length - 1] > lastHeldBack, 'the last held-back change was summed up')
})
