import Fastify, { type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'
import type { HealthPluginOptions } from '../lib/types'
import { captureLogs } from './helpers/logs'
import { fakeClock } from './helpers/clock'

async function build (t: Test, options: HealthPluginOptions, ok = true): Promise<ReturnType<typeof Fastify>> {
  const { app } = await buildApp(t, options)
  app.addHealthCheck('sync-check', () => ok)
  app.addReadyCheck('async-check', async () => { if (!ok) throw new Error('secret host db-1.internal refused'); return true })
  return app
}

const SUMMARY_KEYS = ['status', 'timestamp']

t.test('default: details are exposed', async t => {
  const app = await build(t, {}, false)
  const live = await app.inject('/health')
  t.equal(live.statusCode, 503)
  t.match(live.json(), { status: 'unhealthy', checks: { 'sync-check': { status: 'fail' } } })
  const ready = await app.inject('/health/ready')
  t.match(ready.json(), { status: 'not_ready', checks: { 'async-check': { status: 'error', error: 'secret host db-1.internal refused' } } })
})

t.test('exposeDetails: false gives {status, timestamp} only and keeps the status codes', async t => {
  for (const ok of [true, false]) {
    const app = await build(t, { exposeDetails: false }, ok)
    for (const [url, good, bad] of [['/health', 'healthy', 'unhealthy'], ['/health/ready', 'ready', 'not_ready']]) {
      const res = await app.inject(url)
      t.equal(res.statusCode, ok ? 200 : 503, `${url} status code unchanged`)
      t.same(Object.keys(res.json()), SUMMARY_KEYS, `${url}: no checks`)
      t.equal(res.json().status, ok ? good : bad)
      t.equal(typeof res.json().timestamp, 'number')
      t.notMatch(res.body, /check|secret/, 'no check names or error text')
      t.equal(res.headers['cache-control'], 'no-store')
    }
  }
})

t.test('exposeDetails: false while shutting down: 503 without the shutdown entry', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin, { exposeDetails: false })
  app.addReadyCheck('db', () => true)
  await app.ready()
  const clock = fakeClock(t)
  const shutdown = app.health.shutdown({ delay: 1000 })
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.same(Object.keys(res.json()), SUMMARY_KEYS)
  t.equal(res.json().status, 'not_ready')
  await clock.tickAsync(1000)
  await shutdown
})

t.test('a cached outcome reuses its summary body', async t => {
  const app = await build(t, { exposeDetails: false, cacheTtl: 60000 })
  const first = await app.inject('/health')
  const second = await app.inject('/health')
  t.equal(first.body, second.body, 'same run, same body')
})

t.test('a policy function decides per request, sync or async', async t => {
  const seen: string[] = []
  const policies: Array<HealthPluginOptions['exposeDetails']> = [
    (request: FastifyRequest) => { seen.push(request.url); return request.headers['x-internal'] === '1' },
    async (request: FastifyRequest) => { seen.push(request.url); return request.headers['x-internal'] === '1' }
  ]
  for (const exposeDetails of policies) {
    const app = await build(t, { exposeDetails }, false)
    for (const url of ['/health', '/health/ready']) {
      const inside = await app.inject({ url, headers: { 'x-internal': '1' } })
      t.equal(inside.statusCode, 503)
      t.ok(inside.json().checks, `${url}: details for the internal caller`)
      const outside = await app.inject(url)
      t.equal(outside.statusCode, 503, 'status code unchanged')
      t.same(Object.keys(outside.json()), SUMMARY_KEYS, `${url}: no details for the public caller`)
    }
  }
  t.equal(seen.length, 8, 'called once per request')
})

t.test('only `true` exposes: a policy returning something else hides', async t => {
  const app = await build(t, { exposeDetails: (() => 'yes') as unknown as () => boolean })
  t.same(Object.keys((await app.inject('/health')).json()), SUMMARY_KEYS)
})

t.test('a throwing or rejecting policy hides the details and is logged; the probe still answers', async t => {
  const policies = [
    () => { throw new Error('policy sync') },
    async () => { throw new Error('policy async') }
  ]
  for (const [i, exposeDetails] of policies.entries()) {
    const logs = captureLogs()
    const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
    t.after(() => app.close())
    await app.register(healthPlugin, { exposeDetails })
    app.addReadyCheck('db', () => false)
    const res = await app.inject('/health/ready')
    t.equal(res.statusCode, 503, 'status code of the checks, not 500')
    t.same(Object.keys(res.json()), SUMMARY_KEYS)
    const warning = logs.lines.find(line => line.msg === 'fastify-health: exposeDetails failed; answering without details')
    t.equal(warning?.err?.message, i === 0 ? 'policy sync' : 'policy async')
    t.equal(warning?.level, 40)
  }
})

t.test('HEAD probes follow the same status codes under every policy', async t => {
  for (const exposeDetails of [true, false, () => false]) {
    const app = await build(t, { exposeDetails }, false)
    const res = await app.inject({ method: 'HEAD', url: '/health/ready' })
    t.equal(res.statusCode, 503)
    t.equal(res.body, '')
  }
})
