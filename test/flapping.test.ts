import t from 'tap'
import type { StatusChangeEvent } from '../lib/types'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import { statusLines } from './helpers/logs'

// A check that keeps changing logs at most 5 status-change lines in 60 s; the changes past those are counted and
// summed up in one line when the 60 s are over. onStatusChange still gets every change.

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
    'fastify-health: health check "db" is fail',
    'fastify-health: health check "db" passes again',
    'fastify-health: health check "db" is fail',
    'fastify-health: health check "db" passes again',
    'fastify-health: health check "db" is fail'
  ], 'five lines, then silence')

  // The first line was logged 1 s after the start: its 60 s end 61 s after the start, 52 s from now.
  await clock.tickAsync(51_999)
  t.equal(statusLines(log.lines).length, 5)
  await clock.tickAsync(1)
  const summary = statusLines(log.lines)[5]
  t.equal(summary?.msg, 'fastify-health: health check "db" flapping: 9 changes in 60 s, now fail')
  t.equal(summary?.level, 40)
  t.same(summary?.healthCheck, { name: 'db', kind: 'health', status: 'fail', changes: 9 })

  // A new window: changes are logged again.
  ok = true
  await app.inject('/health')
  t.equal(statusLines(log.lines)[6]?.msg, 'fastify-health: health check "db" passes again')
  t.equal(events.length, 11)
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
