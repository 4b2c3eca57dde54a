// Basic usage: liveness and readiness endpoints with a couple of checks, on port 9090.
// Run it with `npm run example`; PORT and HOST override where it listens (the tests use PORT=0).
import Fastify from 'fastify'
import healthPlugin from 'fastify-health'

async function main (): Promise<void> {
  let migrationsDone = false
  // Stands in for a real migration run: readiness turns `ready` once it has finished.
  const migrations = new Promise<void>(resolve => setImmediate(resolve)).then(() => { migrationsDone = true })

  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  await app.register(healthPlugin, { path: '/health', readyPath: '/health/ready' })

  app.addHealthCheck('database', async ({ signal }) => {
    // A real app would run `SELECT 1` with the signal; this one checks that the event loop answers in time.
    await new Promise<void>((resolve, reject) => {
      const timer = setImmediate(resolve)
      signal.addEventListener('abort', () => { clearImmediate(timer); reject(signal.reason) }, { once: true })
    })
    return true
  })
  app.addHealthCheck('cache', () => true)
  app.addReadyCheck('migrations', () => migrationsDone)

  await migrations
  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`Health check endpoint: ${address}/health`)
  console.log(`Ready check endpoint: ${address}/health/ready`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
