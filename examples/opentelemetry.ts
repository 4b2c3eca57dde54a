// OpenTelemetry metrics for fastify-health checks, with the OpenTelemetry SDK and its Prometheus exporter. Option
// `metrics` creates, on the MeterProvider given:
//   health.check.status{health.check.name,health.check.groups,health.check.critical}  1 passing, 0 not
//   health.group.status{health.group.name}                                            1 while the group's route answers 200
//   health.check.runs{health.check.name,health.check.groups,health.check.outcome}     runs by outcome
//   health.check.duration{...}                                                         run durations, in seconds
// The exporter serves them on GET /metrics next to the probes (Prometheus shows `health_check_status`, ...). Every
// check runs in the background every CHECK_INTERVAL ms (default 5000), so the gauges move with no probe: collecting
// reads each check's latest result and never runs one.
// Run it with `npm run build && npx tsx examples/opentelemetry.ts`; PORT and HOST override where it listens (the tests
// use PORT=0), INDEX_BUILD_MS how long the pretend search index takes to build (default 15000).
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import Fastify from 'fastify'
import healthPlugin from 'fastify-health'

async function main (): Promise<void> {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  // The exporter answers scrapes through the app's own server instead of starting one of its own on port 9464.
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  app.addHook('onClose', async () => { await meterProvider.shutdown() })

  await app.register(healthPlugin, {
    interval: Number(process.env.CHECK_INTERVAL ?? 5000),
    metrics: { meterProvider }
  })
  app.get('/metrics', (request, reply) => {
    reply.hijack()
    exporter.getMetricsRequestHandler(request.raw, reply.raw)
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
  // A search index still being built when the server starts: not critical, so its gauge is 0 until the index is
  // built while readiness (health.group.status{health.group.name="ready"}) stays 1.
  let indexBuilt = false
  setTimeout(() => { indexBuilt = true }, Number(process.env.INDEX_BUILD_MS ?? 15_000)).unref()
  app.addReadyCheck('search-index', () => indexBuilt, { critical: false })
  app.addReadyCheck('migrations', () => true)

  const address = await app.listen({ port: Number(process.env.PORT ?? 9090), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`Metrics endpoint: ${address}/metrics`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
