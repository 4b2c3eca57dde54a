// The watchdog: the probes served from a worker thread on a port of their own (9091), so that a main thread busy with
// synchronous work is told apart from a stuck one. Run it with `npm run example:watchdog`; PORT, HOST, WATCHDOG_PORT
// and STUCK_AFTER_MS (default 10000) override the defaults.
// GET /work?ms=N does N ms of synchronous work on the main thread, the way a CPU-bound request does.
import Fastify from 'fastify'
import healthPlugin from 'fastify-health'

async function main (): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1'
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  await app.register(healthPlugin, {
    gracefulShutdown: true,
    watchdog: {
      port: Number(process.env.WATCHDOG_PORT ?? 9091),
      // The app's address. In a pod that must not be loopback (HOST is 0.0.0.0 in the manifest): the kubelet probes
      // the pod's IP. Left out, the watchdog listens on every interface.
      host,
      stuckAfter: Number(process.env.STUCK_AFTER_MS ?? 10_000)
    }
  })
  app.addHealthCheck('cache', () => true)
  app.addReadyCheck('database', () => true)

  app.get('/work', async (request) => {
    const ms = Math.min(Number((request.query as { ms?: string }).ms ?? 5), 60_000)
    const end = performance.now() + ms
    while (performance.now() < end);
    return { worked: ms }
  })

  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host })
  console.log(`Health check endpoint: ${address}/health`)
  console.log(`Ready check endpoint: ${address}/health/ready`)
  console.log(`Watchdog endpoint: http://${host}:${process.env.WATCHDOG_PORT ?? 9091}/health`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
