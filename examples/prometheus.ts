// A Prometheus gauge for fastify-health checks, with prom-client:
//   health_check_status{check,kind,critical}    1 while the check passes (or warns), 0 while it fails or errors
// served on GET /metrics next to the probes. Every check runs in the background every CHECK_INTERVAL ms (default
// 5000), so the gauge stays fresh even when nothing calls the probe routes. An alert can keep to the checks that
// decide readiness with `health_check_status{critical="true"} == 0`.
// Run it with `npm run build && npx tsx examples/prometheus.ts`; PORT and HOST override where it listens (the tests
// use PORT=0), INDEX_BUILD_MS how long the pretend search index takes to build (default 15000).
import Fastify from 'fastify'
import healthPlugin from 'fastify-health'
import { Gauge, Registry } from 'prom-client'

async function main (): Promise<void> {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  // An own registry rather than prom-client's global one, so that nothing else in the process writes into it.
  const registry = new Registry()
  const status = new Gauge({
    name: 'health_check_status',
    help: 'Whether a health check passes (1) or not (0)',
    labelNames: ['check', 'kind', 'critical'] as const,
    registers: [registry]
  })

  await app.register(healthPlugin, {
    // Each check runs on its own timer from the moment the app is ready, whether or not anything probes it.
    interval: Number(process.env.CHECK_INTERVAL ?? 5000),
    // The gauge needs to change only when a status does, and onStatusChange fires exactly then, including on
    // each check's first run (previous: null), so every check has its series from its first run on.
    onStatusChange (event) {
      const passing = event.status === 'pass' || event.status === 'warn'
      status.set({ check: event.name, kind: event.kind, critical: String(event.critical) }, passing ? 1 : 0)
    }
  })

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType)
    return await registry.metrics()
  })

  app.addHealthCheck('event-loop', () => true)
  app.addHealthCheck('database', async ({ signal }) => {
    // A real app would run `SELECT 1` with the signal; this one waits a turn of the event loop.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 2)
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason) }, { once: true })
    })
    return true
  })
  // A search index still being built when the server starts. Its check is not critical: it fails (gauge 0) until the
  // index is ready (gauge 1) without ever making the readiness probe answer 503.
  let indexBuilt = false
  setTimeout(() => { indexBuilt = true }, Number(process.env.INDEX_BUILD_MS ?? 15_000))
  app.addReadyCheck('search-index', () => indexBuilt, { critical: false })
  app.addReadyCheck('migrations', () => true)

  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`Metrics endpoint: ${address}/metrics`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
