import t from 'tap'
import { buildApp } from './helpers/app'
import { deferred } from './helpers/async'
import { fakeClock } from './helpers/clock'

t.test('every check starts before any of them settles', async t => {
  const { app } = await buildApp(t)
  const clock = fakeClock(t)
  const events: string[] = []
  const bothStarted = deferred<void>()
  const slow = (name: string) => async () => {
    events.push(`start ${name}`)
    if (events.length === 2) bothStarted.resolve()
    await new Promise(resolve => setTimeout(resolve, 100))
    events.push(`end ${name}`)
    return true
  }
  app.addHealthCheck('first', slow('first'))
  app.addHealthCheck('second', slow('second'))
  const pending = app.inject('/health')
  await bothStarted.promise
  t.same(events, ['start first', 'start second'], 'both started before either ended')
  await clock.tickAsync(100)
  const res = await pending
  t.equal(res.statusCode, 200)
  const { first, second } = res.json().checks
  t.same([first.duration, second.duration], [100, 100], 'each took the 100 ms it waited')
  // The two runs overlap: each started before the other finished, so their intervals intersect.
  const startFirst = first.timestamp - first.duration / 1000
  const startSecond = second.timestamp - second.duration / 1000
  t.ok(startSecond < first.timestamp && startFirst < second.timestamp, 'the two 100 ms checks ran at the same time')
})

t.test('a slow check does not delay a fast one', async t => {
  const { app } = await buildApp(t, { timeout: 1000 })
  // The slow check settles only once the fast one has run: run one after the other, slow first, it would time out.
  const fastRan = deferred<void>()
  app.addHealthCheck('slow', async () => { await fastRan.promise; return true })
  app.addHealthCheck('fast', () => { fastRan.resolve(); return true })
  const res = await app.inject('/health')
  t.same(res.json().checks.slow.status, 'pass', 'the slow check saw the fast one settle while it was running')
  t.same(res.json().checks.fast.status, 'pass')
})
