// Prometheus metrics for fastify-health checks, with prom-client:
//   health_check_status{check,kind}            gauge, 1 while the check passes, 0 while it fails or errors
//   health_check_duration_seconds{check,kind,status}  histogram of how long each run of each check took
// served on GET /metrics next to the probes. Run it with `npm run build && npx tsx examples/prometheus.ts`;
// PORT and HOST override where it listens (the tests use PORT=0).
import Fastify from 'fastify'
import healthPlugin from 'fastify-health'
import { Gauge, Histogram, Registry } from 'prom-client'

type Report = Awaited<ReturnType<import('fastify').FastifyInstance['runHealthChecks']>>

async function main (): Promise<void> {
  // An own registry rather than prom-client's global one, so that nothing else in the process writes into it.
  const registry = new Registry()
  const status = new Gauge({
    name: 'health_check_status',
    help: 'Whether a health check passes (1) or not (0)',
    labelNames: ['check', 'kind'] as const,
    registers: [registry]
  })
  const duration = new Histogram({
    name: 'health_check_duration_seconds',
    help: 'How long each run of a health check took',
    labelNames: ['check', 'kind', 'status'] as const,
    // Checks answer in milliseconds; the top buckets sit around the plugin's default 800 ms timeout.
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2.5],
    registers: [registry]
  })

  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  await app.register(healthPlugin, {
    // The gauge needs the status only when it changes, and onStatusChange fires exactly then, including on each
    // check's first run (previous: null), so the gauge is never missing a series once a check has run.
    onStatusChange (event) {
      status.set({ check: event.name, kind: event.kind }, event.status === 'pass' ? 1 : 0)
    }
  })

  // The histogram needs every run, and onStatusChange fires only on changes. Rather than wrap each check (which
  // would time the check function, not the result the plugin reported: a check that ignores its AbortSignal keeps
  // running past its timeout) or call runHealthChecks() again after each probe (an extra run of every check per
  // probe unless cacheTtl is set), read the report the probe is about to send: every entry carries the duration
  // of its run, timeouts included. A report served from the cache is the same object as before, so the WeakSet
  // counts each run once. (With exposeDetails: false the body has no entries; this hook then records nothing.)
  const observed = new WeakSet<object>()
  app.addHook('preSerialization', async (request, _reply, payload: Report) => {
    if (request.routeOptions.config.healthProbe === undefined || observed.has(payload)) return payload
    observed.add(payload)
    const kind = request.routeOptions.config.healthProbe
    for (const [check, entry] of Object.entries(payload.checks ?? {})) {
      duration.observe({ check, kind, status: entry.status }, entry.duration / 1000)
    }
    return payload
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
  // A non-critical check that fails, so that the gauge shows a 0 without turning the probe red.
  app.addReadyCheck('search-index', () => false, { critical: false })
  app.addReadyCheck('migrations', () => true)

  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`Metrics endpoint: ${address}/metrics`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
