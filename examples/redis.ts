// A liveness check against a real Redis with node-redis v5: `cache_redis`.
// Run it with `npm run example:redis` (start a Redis first, e.g. `redis-server`). Environment:
//
//   REDIS_URL   default redis://127.0.0.1:6379
//   PORT, HOST  where to listen (default 9090 on 127.0.0.1)
//   LOG_LEVEL   pino level (default info)
//
// The point of this example is that a probe never waits on a Redis that is down or stuck:
// - `disableOfflineQueue: true`: while the client is disconnected, commands are rejected at once ("The client is
//   closed"/offline) instead of being queued until Redis comes back, which is node-redis's default.
// - `reconnectStrategy`: keep reconnecting in the background, at most a second apart, so the check passes again soon
//   after Redis returns; the app does not have to restart.
// - `withAbortSignal(signal)`: a connected but unresponsive Redis (paused, overloaded, network black hole) leaves the
//   PING unanswered; when the check's time limit (800 ms by default) passes the plugin aborts the signal, node-redis
//   drops the command, and the check reports `error` ("timed out after 800 ms").
import Fastify from 'fastify'
import { createClient } from 'redis'
import healthPlugin from 'fastify-health'

async function main (): Promise<void> {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })

  const client = createClient({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    disableOfflineQueue: true,
    socket: {
      // A connect attempt to a host that does not answer gives up before the next probe.
      connectTimeout: 2000,
      // 50 ms, 100 ms, ... then once a second, for ever.
      reconnectStrategy: (retries: number) => Math.min((retries + 1) * 50, 1000)
    }
  })
  // Without a listener an 'error' event (every failed reconnect emits one) would crash the process. The health
  // check reports the outage; the log line says why.
  client.on('error', (err: Error) => { app.log.warn({ err: err.message }, 'redis client error') })

  await app.register(healthPlugin, { path: '/health', readyPath: '/health/ready' })

  app.addHealthCheck('cache_redis', async ({ signal }) => {
    const reply = await client.withAbortSignal(signal).ping()
    return reply === 'PONG'
  })

  app.addHook('onClose', async () => {
    // destroy(), not close(): close() waits for pending commands, which a stuck Redis never answers.
    if (client.isOpen) client.destroy()
  })

  // The first connection is not awaited: the app starts even when Redis is down, and /health says so until it is up.
  client.connect().catch((err: unknown) => { app.log.warn({ err }, 'redis: first connection failed; retrying') })

  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`Health check endpoint: ${address}/health`)
  console.log(`Ready check endpoint: ${address}/health/ready`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
