import t from 'tap'
import { buildApp } from './helpers/app'

t.test('every check starts before any of them settles', async t => {
  const { app } = await buildApp(t)
  const events: string[] = []
  const slow = (name: string) => async () => {
    events.push(`start ${name}`)
    await new Promise(resolve => setTimeout(resolve, 100))
    events.push(`end ${name}`)
    return true
  }
  app.addHealthCheck('first', slow('first'))
  app.addHealthCheck('second', slow('second'))
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.same(events.slice(0, 2).sort(), ['start first', 'start second'], 'both started before either ended')
  const { first, second } = res.json().checks
  // The two runs overlap: each started before the other finished, so their intervals intersect.
  const startFirst = first.timestamp - first.duration / 1000
  const startSecond = second.timestamp - second.duration / 1000
  t.ok(startSecond < first.timestamp && startFirst < second.timestamp, 'the two 100 ms checks ran at the same time')
})

t.test('a slow check does not delay a fast one', async t => {
  const { app } = await buildApp(t)
  let fastSettledBeforeSlow = false
  let slowDone = false
  app.addHealthCheck('slow', () => new Promise(resolve => setTimeout(() => { slowDone = true; resolve(true) }, 50)))
  app.addHealthCheck('fast', async () => { fastSettledBeforeSlow = !slowDone; return true })
  await app.inject('/health')
  t.ok(fastSettledBeforeSlow)
})
