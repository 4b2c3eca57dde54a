import * as api from '@opentelemetry/api'
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import { setPeerLoader } from '../../lib/integrations/peer'
import type { HealthPluginOptions } from '../../lib/types'
import { fakeClock } from '../helpers/clock'

/** A reader that collects when the test asks, as a Prometheus scrape would. */
class TestReader extends MetricReader {
  protected async onForceFlush (): Promise<void> {}
  protected async onShutdown (): Promise<void> {}
}

interface Point { attributes: Record<string, unknown>, value: any }

async function collect (reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect()
  const metrics = new Map<string, MetricData>()
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) metrics.set(metric.descriptor.name, metric)
  return metrics
}

const points = (metrics: Map<string, MetricData>, name: string): Point[] =>
  (metrics.get(name)?.dataPoints ?? []).map(point => ({ attributes: point.attributes, value: point.value }))

/** The value of each series of a gauge, keyed by one attribute. */
const gauge = (metrics: Map<string, MetricData>, name: string, key: string): Record<string, number> =>
  Object.fromEntries(points(metrics, name).map(point => [String(point.attributes[key]), point.value as number]))

async function build (t: Test, options: HealthPluginOptions = {}): Promise<{ app: FastifyInstance, reader: TestReader }> {
  const reader = new TestReader()
  const provider = new MeterProvider({ readers: [reader] })
  t.teardown(() => provider.shutdown())
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { metrics: { meterProvider: provider }, ...options })
  return { app, reader }
}

t.test('the instruments, their units and attributes are as documented', async t => {
  const { app, reader } = await build(t)
  app.addReadyCheck('db', () => true)
  app.addHealthCheck('cache', () => ({ status: 'warn' }), { critical: false })
  await app.ready()
  await app.inject('/health/ready')
  await app.inject('/health')
  const metrics = await collect(reader)
  t.match(metrics.get('health.check.status')?.descriptor, { unit: '1', description: /passes \(1\) or not \(0\)/ })
  t.equal(metrics.get('health.check.status')?.dataPointType, DataPointType.GAUGE)
  t.match(metrics.get('health.group.status')?.descriptor, { unit: '1' })
  t.equal(metrics.get('health.group.status')?.dataPointType, DataPointType.GAUGE)
  t.match(metrics.get('health.check.runs')?.descriptor, { unit: '{run}' })
  t.equal(metrics.get('health.check.runs')?.dataPointType, DataPointType.SUM)
  t.match(metrics.get('health.check.duration')?.descriptor, { unit: 's' })
  t.equal(metrics.get('health.check.duration')?.dataPointType, DataPointType.HISTOGRAM)

  t.same(points(metrics, 'health.check.status'), [
    { attributes: { 'health.check.name': 'db', 'health.check.groups': 'ready', 'health.check.critical': true }, value: 1 },
    { attributes: { 'health.check.name': 'cache', 'health.check.groups': 'health', 'health.check.critical': false }, value: 1 }
  ])
  t.same(gauge(metrics, 'health.group.status', 'health.group.name'), { health: 1, ready: 1, startup: 1 })
  t.same(points(metrics, 'health.check.runs'), [
    { attributes: { 'health.check.name': 'db', 'health.check.groups': 'ready', 'health.check.outcome': 'pass' }, value: 1 },
    { attributes: { 'health.check.name': 'cache', 'health.check.groups': 'health', 'health.check.outcome': 'warn' }, value: 1 }
  ])
  const histogram = points(metrics, 'health.check.duration')
  t.same(histogram.map(point => point.attributes), points(metrics, 'health.check.runs').map(point => point.attributes))
  t.equal(histogram[0].value.count, 1)
  t.ok(histogram[0].value.sum < 1, 'in seconds: a synchronous check takes a fraction of one')
})

t.test('a background check\'s gauge moves with no probe, and collecting never runs a check', async t => {
  const { app, reader } = await build(t)
  let up = true
  let background = 0
  let onDemand = 0
  app.addReadyCheck('db', () => { background++; return up }, { interval: 1000 })
  app.addHealthCheck('disk', () => { onDemand++; return true })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  let metrics = await collect(reader)
  t.same(gauge(metrics, 'health.check.status', 'health.check.name'), { db: 1 }, 'an on-demand check that never ran has no series yet')
  t.same(gauge(metrics, 'health.group.status', 'health.group.name'), { ready: 1, startup: 1 }, 'nor has its group: its status is not known')
  up = false
  await clock.tickAsync(1000)
  metrics = await collect(reader)
  t.same(gauge(metrics, 'health.check.status', 'health.check.name'), { db: 0 }, 'the failing background run shows, no probe asked')
  t.same(gauge(metrics, 'health.group.status', 'health.group.name'), { ready: 0, startup: 1 })
  const runsBefore = background
  for (let i = 0; i < 5; i++) await collect(reader)
  t.equal(background, runsBefore, 'collecting ran no background check')
  t.equal(onDemand, 0, 'nor an on-demand one')
  t.same(points(await collect(reader), 'health.check.runs').map(p => [p.attributes['health.check.outcome'], p.value]), [['pass', 1], ['fail', 1]])
})

t.test('a stale background result counts as not passing, as the reports show it', async t => {
  const { app, reader } = await build(t)
  let runs = 0
  // The first run passes; the next one hangs (until its 1 s timeout), so the first result ages past staleAfter.
  app.addReadyCheck('db', async () => ++runs === 1 || await new Promise<boolean>(() => {}), { interval: 1000, timeout: 1000, staleAfter: 1000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(0)
  t.same(gauge(await collect(reader), 'health.check.status', 'health.check.name'), { db: 1 })
  await clock.tickAsync(1500)
  t.same(gauge(await collect(reader), 'health.check.status', 'health.check.name'), { db: 0 }, 'stale: 0, with no probe')
  t.same(gauge(await collect(reader), 'health.group.status', 'health.group.name'), { health: 1, ready: 0, startup: 1 }, 'a group without checks passes, as its route does')
  const res = await app.inject('/health/ready')
  t.match(res.json().checks.db, { status: 'error', error: /^stale/ }, 'as the report says')
})

t.test('a closed app observes nothing more', async t => {
  const reader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA })
  const provider = new MeterProvider({ readers: [reader] })
  t.teardown(() => provider.shutdown())
  const app = Fastify()
  await app.register(healthPlugin, { metrics: { meterProvider: provider } })
  app.addHealthCheck('loop', () => true)
  await app.inject('/health')
  t.same(gauge(await collect(reader), 'health.check.status', 'health.check.name'), { loop: 1 })
  await app.close()
  await app.runHealthChecks()
  const metrics = await collect(reader)
  t.same(points(metrics, 'health.check.status'), [], 'no gauge callback')
  t.same(points(metrics, 'health.check.runs'), [], 'a run after close is not counted')
})

t.test('run outcomes: pass, warn, fail, error and timeout, each counted with its duration', async t => {
  const { app, reader } = await build(t, { timeout: 100 })
  app.addHealthCheck('pass', () => true)
  app.addHealthCheck('warn', () => ({ status: 'warn' }))
  app.addHealthCheck('fail', () => false)
  app.addHealthCheck('error', () => { throw new Error('boom') })
  app.addHealthCheck('timeout', async () => await new Promise(() => {}))
  await app.ready()
  const clock = fakeClock(t)
  const probe = app.inject('/health')
  await clock.tickAsync(100)
  t.equal((await probe).statusCode, 503)
  const metrics = await collect(reader)
  t.same(Object.fromEntries(points(metrics, 'health.check.runs').map(p => [p.attributes['health.check.name'], p.attributes['health.check.outcome']])),
    { pass: 'pass', warn: 'warn', fail: 'fail', error: 'error', timeout: 'timeout' })
  const timedOut = points(metrics, 'health.check.duration').find(p => p.attributes['health.check.name'] === 'timeout')
  t.equal(timedOut?.value.sum, 0.1, 'the timed-out run took its 100 ms timeout: 0.1 s')
})

t.test('group gauges follow the app\'s own state: votes, the startup latch, the shutdown', async t => {
  const { app, reader } = await build(t)
  let started = false
  app.addReadyCheck('db', () => true)
  app.addHealthCheck('loop', () => true)
  app.addStartupCheck('warm', () => started)
  await app.ready()
  await app.inject('/health/ready')
  await app.inject('/health')
  await app.inject('/health/started')
  t.same(gauge(await collect(reader), 'health.group.status', 'health.group.name'), { health: 1, ready: 0, startup: 0 }, 'not started: startup and readiness fail')
  started = true
  await app.inject('/health/started')
  t.same(gauge(await collect(reader), 'health.group.status', 'health.group.name'), { health: 1, ready: 1, startup: 1 })
  app.health.setLive(false)
  app.health.setReady(false)
  t.same(gauge(await collect(reader), 'health.group.status', 'health.group.name'), { health: 0, ready: 0, startup: 1 })
  app.health.setLive(true)
  app.health.setReady(true)
  const shutdown = app.health.shutdown({ delay: 0 })
  t.same(gauge(await collect(reader), 'health.group.status', 'health.group.name'), { health: 1, ready: 0, startup: 1 }, 'shutting down: readiness 0')
  await shutdown
})

t.test('metrics: true uses the global MeterProvider', async t => {
  const reader = new TestReader()
  const provider = new MeterProvider({ readers: [reader] })
  api.metrics.setGlobalMeterProvider(provider)
  t.teardown(async () => {
    api.metrics.disable()
    await provider.shutdown()
  })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { metrics: true })
  app.addHealthCheck('loop', () => true)
  await app.inject('/health')
  t.same(gauge(await collect(reader), 'health.check.status', 'health.check.name'), { loop: 1 })
})

t.test('metrics: {} uses the global MeterProvider too; false leaves metrics off', async t => {
  const reader = new TestReader()
  const provider = new MeterProvider({ readers: [reader] })
  api.metrics.setGlobalMeterProvider(provider)
  t.teardown(async () => {
    api.metrics.disable()
    await provider.shutdown()
  })
  const on = Fastify()
  t.teardown(() => on.close())
  await on.register(healthPlugin, { metrics: {} })
  on.addHealthCheck('on', () => true)
  const off = Fastify()
  t.teardown(() => off.close())
  await off.register(healthPlugin, { metrics: false })
  off.addHealthCheck('off', () => true)
  await on.inject('/health')
  await off.inject('/health')
  t.same(gauge(await collect(reader), 'health.check.status', 'health.check.name'), { on: 1 })
})

t.test('bad metrics options are rejected at register() with the option named', async t => {
  const cases: Array<[unknown, RegExp]> = [
    ['yes', /option "metrics" must be a boolean or an object \{ meterProvider \}, received "yes"/],
    [null, /option "metrics" must be a boolean or an object/],
    [[], /option "metrics" must be a boolean or an object/],
    [{ provider: {} }, /option "metrics" has an unknown key "provider"/],
    [{ meterProvider: {} }, /option "metrics.meterProvider" must be an OpenTelemetry MeterProvider/],
    [{ meterProvider: null }, /option "metrics.meterProvider" must be an OpenTelemetry MeterProvider/]
  ]
  for (const [metrics, message] of cases) {
    await t.rejects(async () => { await Fastify().register(healthPlugin, { metrics } as unknown as HealthPluginOptions) }, { code: 'FST_HEALTH_INVALID_OPTION', message })
  }
})

t.test('without @opentelemetry/api installed, metrics rejects register() with a clear error', async t => {
  const previous = setPeerLoader(id => {
    const err = new Error(`Cannot find module '${id}'\nRequire stack:\n- x.js`) as NodeJS.ErrnoException
    err.code = 'MODULE_NOT_FOUND'
    throw err
  })
  t.teardown(() => { setPeerLoader(previous) })
  await t.rejects(async () => { await Fastify().register(healthPlugin, { metrics: true }) }, {
    code: 'FST_HEALTH_MISSING_PEER',
    message: 'fastify-health: option "metrics" needs the optional peer dependency "@opentelemetry/api", which is not installed; add it with `npm install @opentelemetry/api`'
  })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  t.equal((await app.inject('/health')).statusCode, 200, 'without the option the package is not needed')
})

t.test('a peer that is installed but broken fails with its own error', async t => {
  const broken = new Error('Cannot find module \'./build/src/index.js\'') as NodeJS.ErrnoException
  broken.code = 'MODULE_NOT_FOUND'
  let thrown: Error | string = broken
  const previous = setPeerLoader(() => { throw thrown })
  t.teardown(() => { setPeerLoader(previous) })
  await t.rejects(async () => { await Fastify().register(healthPlugin, { metrics: true }) }, broken, 'a file of the package missing is not the package missing')
  thrown = new SyntaxError('Unexpected token')
  await t.rejects(async () => { await Fastify().register(healthPlugin, { metrics: true }) }, thrown as Error)
  thrown = 'a string'
  await t.rejects(async () => { await Fastify().register(healthPlugin, { metrics: true }) }, 'a thrown string is passed on')
})

t.test('custom groups: in each check\'s groups attribute, and a status gauge of their own', async t => {
  const { app, reader } = await build(t, { groups: { payments: {} } })
  let psp = true
  app.addReadyCheck('db', () => true, { groups: ['payments'] })
  app.addCheck('psp', () => psp, { groups: ['payments'] })
  app.addCheck('fraud', () => false, { groups: ['payments'], critical: false })
  await app.ready()
  await app.health.run('payments')
  await app.inject('/health/ready')
  let metrics = await collect(reader)
  t.same(points(metrics, 'health.check.status').map(p => [p.attributes['health.check.name'], p.attributes['health.check.groups'], p.value]),
    [['db', 'ready,payments', 1], ['psp', 'payments', 1], ['fraud', 'payments', 0]])
  t.same(gauge(metrics, 'health.group.status', 'health.group.name'), { health: 1, ready: 1, startup: 1, payments: 1 }, 'a non-critical check does not fail its group')
  psp = false
  await app.health.run('payments')
  metrics = await collect(reader)
  t.same(gauge(metrics, 'health.group.status', 'health.group.name'), { health: 1, ready: 1, startup: 1, payments: 0 })
  t.same(points(metrics, 'health.check.runs').filter(p => p.attributes['health.check.name'] === 'db').map(p => p.value), [3], 'three evaluations (payments, ready, payments), three runs: one series for a check in two groups')
})

t.test('a check held back by a dependency counts as skipped, and its gauge is 0', async t => {
  const { app, reader } = await build(t)
  app.addReadyCheck('db', () => false)
  app.addReadyCheck('migrations', () => true, { dependsOn: ['db'] })
  await app.ready()
  await app.inject('/health/ready')
  const metrics = await collect(reader)
  t.same(gauge(metrics, 'health.check.status', 'health.check.name'), { db: 0, migrations: 0 })
  t.same(points(metrics, 'health.check.runs').map(p => [p.attributes['health.check.name'], p.attributes['health.check.outcome']]), [['db', 'fail'], ['migrations', 'skipped']])
})
