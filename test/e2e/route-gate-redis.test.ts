// Route gates against a real Redis (redis-server started by the test on a loopback port): /cart requires the
// background `redis` check (200 ms interval), /catalog requires nothing. Redis stopped: /cart answers 503 with
// Retry-After within a second, at once (it reads the check's state, it does not wait for Redis), while /catalog keeps
// serving; readiness stays 200 when the check has impact 'fleet' and answers 503 without it. Redis back: /cart 200
// again within a second.
import Fastify, { type FastifyInstance } from 'fastify'
import { createClient } from 'redis'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import type { CheckImpact } from '../../lib/types'
import { get, type HttpAnswer } from '../helpers/net'
import { pollUntil, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'
import { redisServer } from './helpers/redis'

const INTERVAL = 200
// Margins: "within a second" is the claim; a gated answer that reads state takes a few ms on loopback, far below
// any Redis timeout (the check's 800 ms, node-redis's connect timeout).
const WITHIN_MS = 1000
const ANSWER_MS = 200

async function gatedApp (t: Test, redisUrl: string, impact: CheckImpact): Promise<string> {
  const app: FastifyInstance = Fastify()
  const client = createClient({
    url: redisUrl,
    // Commands while disconnected are rejected at once instead of queued until Redis returns.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min((retries + 1) * 50, 200) }
  })
  client.on('error', () => {})
  await app.register(healthPlugin)
  app.addReadyCheck('redis', async ({ signal }) => await client.withAbortSignal(signal).ping() === 'PONG', { interval: INTERVAL, impact })
  app.get('/cart', { config: { health: { requires: ['redis'] } } }, async () => ({ cart: [] }))
  app.get('/catalog', async () => ({ items: [] }))
  app.addHook('onClose', async () => { if (client.isOpen) client.destroy() })
  t.teardown(() => app.close())
  await client.connect()
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

const until = async (what: string, url: string, status: number): Promise<HttpAnswer> =>
  await pollUntil(what, async () => {
    const res = await get(url)
    return res.status === status ? res : undefined
  }, 10_000, 20)

const bins = requirePrograms(t, ['redis-server'])
if (bins !== undefined) {
  t.test('a route that requires Redis answers 503 while it is down, the rest of the app and the fleet stay up', async t => {
    const { port, start: startRedis } = await redisServer(t, bins['redis-server'])
    let redis = await startRedis()
    const fleet = await gatedApp(t, `redis://127.0.0.1:${port}`, 'fleet')
    const instance = await gatedApp(t, `redis://127.0.0.1:${port}`, 'instance')
    await until('/cart 200', `${fleet}/cart`, 200)
    await until('readiness 200', `${instance}/health/ready`, 200)

    const stoppedAt = performance.now()
    await stop(redis, 'SIGTERM')
    const gated = await until('/cart 503', `${fleet}/cart`, 503)
    const after = performance.now() - stoppedAt
    t.ok(after < WITHIN_MS, `/cart gated ${Math.round(after)} ms after Redis was stopped`)
    t.ok(gated.ms < ANSWER_MS, `the 503 answered in ${Math.round(gated.ms)} ms, without waiting for Redis`)
    t.equal(gated.json.code, 'FST_HEALTH_DEPENDENCY_UNAVAILABLE')
    t.match(gated.json.message, /"redis" \(error\)/)
    const retryAfter = Number(gated.headers['retry-after'])
    t.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${String(gated.headers['retry-after'])}`)
    t.equal((await get(`${fleet}/catalog`)).status, 200, '/catalog, which requires nothing, is served')

    const fleetReady = await get(`${fleet}/health/ready`)
    t.equal(fleetReady.status, 200, 'impact fleet: readiness stays 200, the instance stays in rotation')
    t.match(fleetReady.json.checks.redis, { status: 'error', impact: 'fleet' })
    const instanceReady = await until('readiness 503 without impact fleet', `${instance}/health/ready`, 503)
    t.equal(instanceReady.json.checks.redis.status, 'error', 'without it: readiness 503')
    t.notOk('impact' in instanceReady.json.checks.redis)
    t.comment(`Redis stopped: /cart 503 after ${Math.round(after)} ms, answered in ${Math.round(gated.ms)} ms, Retry-After ${retryAfter}`)

    redis = await startRedis()
    const restartedAt = performance.now()
    await until('/cart 200 again', `${fleet}/cart`, 200)
    const back = performance.now() - restartedAt
    t.ok(back < WITHIN_MS, `/cart served again ${Math.round(back)} ms after Redis was ready`)
    t.comment(`Redis back: /cart 200 after ${Math.round(back)} ms`)
    await stop(redis, 'SIGTERM')
  })
}
