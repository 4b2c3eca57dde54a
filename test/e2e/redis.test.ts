// examples/redis.ts against a real redis-server started by the test: 200 while Redis is up; 503 with cache_redis in
// error, answered within the check timeout, when Redis is stopped or stuck; 200 again once it is back on the same port.
import t from 'tap'
import { get } from '../helpers/net'
import { distBuilt, pollUntil, startExample, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'
import { redisServer } from './helpers/redis'

const CHECK_TIMEOUT = 800 // the plugin's default, which the example keeps

const bins = requirePrograms(t, ['redis-server'])
if (bins !== undefined) {
  t.test('cache_redis follows a real Redis going away and coming back', async t => {
    t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
    const { port, start: startRedis } = await redisServer(t, bins['redis-server'])
    let redis = await startRedis()
    const app = await startExample(t, 'examples/redis.ts', { REDIS_URL: `redis://127.0.0.1:${port}` })
    const health = `${app.baseUrl}/health`

    // The app does not wait for its first connection before listening: poll until it has connected.
    const up = await pollUntil('the first 200', async () => {
      const res = await get(health)
      return res.status === 200 ? res : undefined
    })
    t.equal(up.json.status, 'healthy')
    t.equal(up.json.checks.cache_redis.status, 'pass', 'Redis up: cache_redis passes, 200')

    // Stopped: the client is offline and, with the offline queue disabled, the PING is rejected at once.
    await stop(redis, 'SIGTERM')
    const down = await get(health, { timeoutMs: 5000 })
    t.equal(down.status, 503, 'Redis stopped: 503')
    t.equal(down.json.checks.cache_redis.status, 'error')
    t.type(down.json.checks.cache_redis.error, 'string')
    // Normally rejected at once ("The client is offline"); if the client has not yet seen the socket close, the PING is
    // cut off at the check timeout instead. Either way the probe does not hang.
    t.ok(down.ms < CHECK_TIMEOUT + 500, `answered in ${Math.round(down.ms)} ms (check timeout ${CHECK_TIMEOUT} ms)`)
    t.comment(`Redis stopped: 503 in ${Math.round(down.ms)} ms, error "${down.json.checks.cache_redis.error}"`)

    // Back on the same port: the reconnect strategy (at most 1 s between attempts) brings the check back.
    const restartedAt = performance.now()
    redis = await startRedis()
    const back = await pollUntil('200 after Redis restarted', async () => {
      const res = await get(health)
      return res.status === 200 ? res : undefined
    }, 10_000, 100)
    t.equal(back.json.checks.cache_redis.status, 'pass', 'Redis restarted: 200 again')
    t.comment(`200 again ${Math.round(performance.now() - restartedAt)} ms after redis-server was restarted`)

    // Stuck: SIGSTOP keeps the connection open but nothing answers, so the PING would wait for ever. The check's
    // signal aborts it at the time limit and the probe still answers.
    redis.child.kill('SIGSTOP')
    t.teardown(() => { if (redis.running) redis.child.kill('SIGCONT') })
    const stuck = await get(health, { timeoutMs: 5000 })
    t.equal(stuck.status, 503, 'Redis stuck: 503')
    t.equal(stuck.json.checks.cache_redis.status, 'error')
    t.match(stuck.json.checks.cache_redis.error, `timed out after ${CHECK_TIMEOUT} ms`)
    t.ok(stuck.ms >= CHECK_TIMEOUT - 50 && stuck.ms < CHECK_TIMEOUT + 1000, `answered in ${Math.round(stuck.ms)} ms (check timeout ${CHECK_TIMEOUT} ms)`)
    t.comment(`Redis stuck (SIGSTOP): 503 in ${Math.round(stuck.ms)} ms`)
    redis.child.kill('SIGCONT')
    const resumed = await pollUntil('200 after Redis resumed', async () => {
      const res = await get(health)
      return res.status === 200 ? res : undefined
    }, 10_000, 100)
    t.equal(resumed.json.checks.cache_redis.status, 'pass', 'Redis resumed: 200 again')

    await stop(app.proc, 'SIGTERM')
    await stop(redis, 'SIGTERM')
  })
}
