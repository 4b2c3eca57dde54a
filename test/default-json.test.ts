import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { fakeClock } from './helpers/clock'

// Bodies exactly as 0.1.0 sent them for boolean checks (recorded from 0.1.0 under this same clock, which stands still at
// NOW): the default JSON answer must not change by a byte (same keys, same order, no new fields). In 0.1.0 an entry's
// `error` comes after `duration`: the serialiser writes the entries of `checks` in the order the object has its keys.
const NOW = Date.UTC(2026, 0, 17, 3, 36, 48, 250)
const TS = NOW / 1000

t.test('the default JSON of boolean checks is byte-identical to 0.1.0', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { timeout: 100 })
  app.addHealthCheck('db', () => true)
  app.addHealthCheck('cache', async () => false)
  app.addHealthCheck('queue', () => { throw new Error('ECONNREFUSED') })
  app.addHealthCheck('search', () => new Promise<boolean>(() => {}))
  app.addHealthCheck('optional', () => false, { critical: false })
  app.addReadyCheck('ready-db', async () => true)
  await app.ready()
  const clock = fakeClock(t)
  clock.setSystemTime(NOW)

  const pending = app.inject('/health')
  await clock.tickAsync(100)
  const health = await pending
  t.equal(health.statusCode, 503)
  t.equal(health.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(health.body,
    `{"status":"unhealthy","timestamp":${TS + 0.1},"checks":{` +
    `"db":{"status":"pass","timestamp":${TS},"duration":0},` +
    `"cache":{"status":"fail","timestamp":${TS},"duration":0},` +
    `"queue":{"status":"error","timestamp":${TS},"duration":0,"error":"ECONNREFUSED"},` +
    `"search":{"status":"error","timestamp":${TS + 0.1},"duration":100,"error":"timed out after 100 ms"},` +
    `"optional":{"status":"fail","timestamp":${TS},"duration":0,"critical":false}}}`)

  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.body, `{"status":"ready","timestamp":${TS + 0.1},"checks":{"ready-db":{"status":"pass","timestamp":${TS + 0.1},"duration":0}}}`)
})

t.test('without details the body is status and timestamp, as in 0.1.0', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { exposeDetails: false })
  app.addHealthCheck('db', () => true)
  app.addReadyCheck('q', () => false)
  await app.ready()
  const clock = fakeClock(t)
  clock.setSystemTime(NOW)
  t.equal((await app.inject('/health')).body, `{"status":"healthy","timestamp":${TS}}`)
  t.equal((await app.inject('/health/ready')).body, `{"status":"not_ready","timestamp":${TS}}`)
})

t.test('with no checks the body is as in 0.1.0', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  await app.ready()
  const clock = fakeClock(t)
  clock.setSystemTime(NOW)
  t.equal((await app.inject('/health')).body, `{"status":"healthy","timestamp":${TS},"checks":{}}`)
  t.equal((await app.inject('/health/ready')).body, `{"status":"ready","timestamp":${TS},"checks":{}}`)
})
