// One benchmark row's server: `node bench/server.mjs <row>`, started by bench/run.ts with an IPC channel.
// It listens on a free loopback port and answers GET /health; the parent talks to it over IPC only, so that no
// request of the measurement itself reaches the server:
//
//   server -> parent  { type: 'ready', port }  or  { type: 'unavailable', reason }
//   parent -> server  { type: 'usage', id }          -> { type: 'usage', id, cpu, invocations, gc, rss }
//   parent -> server  { type: 'profile', id, file? } starts the CPU profiler, or stops it and writes `file`
//
// The plugin is the built package (dist/index.js); BENCH_PLUGIN=<path to another build's index.js> loads that build
// instead, to compare a candidate change with the same harness.
import http from 'node:http'
import { Session } from 'node:inspector'
import { PerformanceObserver } from 'node:perf_hooks'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Fastify from 'fastify'
import underPressure from '@fastify/under-pressure'
import fastifyHealthcheck from 'fastify-healthcheck'
import { createTerminus } from '@godaddy/terminus'

const HOST = '127.0.0.1'
const pluginPath = process.env.BENCH_PLUGIN || join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')
const { default: healthPlugin } = await import(pathToFileURL(pluginPath).href)
// The plugin's own response schema, so that the floor pays for exactly the same serialiser (in formats/ since 0.2,
// beside index.js before: either build can be measured).
const schemaAt = (...parts) => import(pathToFileURL(join(dirname(pluginPath), ...parts)).href)
const { HealthReportSchema } = await schemaAt('formats', 'schema.js').catch(() => schemaAt('schema.js'))

/** Calls of any check of this server: the parent turns it into check calls per second. */
let invocations = 0
const syncPass = () => { invocations++; return true }
const asyncPass = async () => { invocations++; return true }
/** An async check that takes `ms`: a dependency with latency. */
const slowPass = (ms) => () => {
  invocations++
  return new Promise(resolve => setTimeout(resolve, ms, true))
}
/** Garbage collections so far, and their total pause in ms. */
const gc = { count: 0, ms: 0 }
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    gc.count++
    gc.ms += entry.duration
  }
}).observe({ entryTypes: ['gc'] })

const times = (n, fn) => Array.from({ length: n }, () => fn)

/** A Fastify app with fastify-health, `checks` registered on the liveness route with `checkOptions`. */
function fh (checks, options = {}, checkOptions = undefined) {
  return async () => {
    const app = Fastify()
    await app.register(healthPlugin, options)
    checks.forEach((fn, i) => app.addHealthCheck(`check${i}`, fn, checkOptions))
    return app
  }
}

/** What fastify-health answers with three passing sync checks, taken from the plugin itself (same shape). */
async function threeCheckReport () {
  const app = await fh(times(3, () => true))()
  await app.ready()
  const report = await app.runHealthChecks()
  await app.close()
  return report
}

/** A bare Fastify route answering a constant report with the plugin's response schema and cache-control header. */
async function floor () {
  const report = await threeCheckReport()
  const app = Fastify()
  app.get('/health', { schema: { response: { 200: HealthReportSchema, 503: HealthReportSchema } } }, (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return report
  })
  return app
}

/**
 * An app with fastify-health (its probes under /_health) and a background readiness check `db`, and GET /health: an
 * app route answering the floor's report, with `config.health.requires: ['db']` or without, or (`throws`) a route
 * whose handler throws the gate's own 503 error with the same Retry-After, the answer of a gated route done by hand.
 */
function appRoute ({ requires, passing = true, throws = false }) {
  return async () => {
    const report = await threeCheckReport()
    const app = Fastify()
    await app.register(healthPlugin, { path: '/_health', readyPath: '/_health/ready', startupPath: '/_health/started' })
    const Unavailable = healthPlugin.FST_HEALTH_DEPENDENCY_UNAVAILABLE
    if (Unavailable === undefined) throw Object.assign(new Error('this build has no route gates'), { code: 'FST_HEALTH_INVALID_OPTION' })
    // A check that never settles before the first probe would let requests through: its first run is sync.
    app.addReadyCheck('db', () => passing, { interval: 60_000 })
    const config = requires ? { health: { requires: ['db'] } } : {}
    app.get('/health', { config, schema: { response: { 200: HealthReportSchema } } }, (_request, reply) => {
      if (throws) {
        reply.header('retry-after', '60')
        throw new Unavailable('required check failing: "db" (fail)')
      }
      reply.header('cache-control', 'no-store')
      return report
    })
    await app.ready()
    const expected = passing && !throws ? 200 : 503
    const { statusCode } = await app.inject('/health')
    if (statusCode !== expected) throw new Error(`bench/server.mjs: GET /health answered ${statusCode}, expected ${expected}`)
    return app
  }
}

/** Row name -> factory of a server (a Fastify app or a node:http server) answering GET /health. */
const rows = {
  'node-http': async () => {
    const body = JSON.stringify(await threeCheckReport())
    return http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  },
  floor,
  // The same server again: how far apart two identical rows read is the resolution of the harness.
  'floor-again': floor,
  'fh-3-sync': fh(times(3, syncPass)),
  'fh-1-async': fh([asyncPass]),
  'fh-3-async': fh(times(3, asyncPass)),
  'fh-interval': fh(times(3, slowPass(20)), {}, { interval: 1000 }),
  'fh-cache': fh(times(3, slowPass(20)), { cacheTtl: 60_000 }),
  'fh-1-slow': fh([slowPass(20)]),
  // One function under one name in both probes and a custom group: one check, whichever path asks.
  'fh-groups': async () => {
    const app = Fastify()
    await app.register(healthPlugin, { groups: { payments: {} } })
    const check = slowPass(20)
    app.addHealthCheck('check0', check, { groups: ['payments'] })
    app.addReadyCheck('check0', check, { groups: ['payments'] })
    return app
  },
  'fh-1000-sync': fh(times(1000, syncPass)),
  'route-plain': appRoute({ requires: false }),
  'route-requires': appRoute({ requires: true }),
  'route-503': appRoute({ requires: false, throws: true }),
  'route-gated-503': appRoute({ requires: true, passing: false }),
  // under-pressure calls its healthCheck on every request to its status route when no healthCheckInterval is set.
  'under-pressure': async () => {
    const app = Fastify()
    await app.register(underPressure, { exposeStatusRoute: '/health', healthCheck: asyncPass })
    return app
  },
  // fastify-healthcheck has no per-request check: its check is under-pressure's healthCheck on a 1 s interval.
  'fastify-healthcheck': async () => {
    const app = Fastify()
    await app.register(fastifyHealthcheck, { underPressureOptions: { healthCheck: asyncPass, healthCheckInterval: 1000 } })
    return app
  },
  // terminus wraps the Fastify server's request listener and answers its health routes before Fastify sees them.
  terminus: async () => {
    const app = Fastify()
    createTerminus(app.server, { healthChecks: { '/health': asyncPass }, signals: [] })
    return app
  }
}

let session

/** Starts the V8 CPU profiler, or stops it and writes the profile to `file`. */
async function profile (file) {
  const post = (method, params) => new Promise((resolve, reject) => {
    session.post(method, params, (err, result) => err ? reject(err) : resolve(result))
  })
  if (file === undefined) {
    session = new Session()
    session.connect()
    await post('Profiler.enable')
    await post('Profiler.setSamplingInterval', { interval: 100 })
    await post('Profiler.start')
  } else {
    const { profile } = await post('Profiler.stop')
    session.disconnect()
    writeFileSync(file, JSON.stringify(profile))
  }
}

async function listen (server) {
  if (server instanceof http.Server) {
    await new Promise(resolve => server.listen(0, HOST, resolve))
    return server.address().port
  }
  await server.listen({ port: 0, host: HOST })
  return server.server.address().port
}

async function main () {
  const name = process.argv[2]
  const factory = rows[name]
  if (factory === undefined) throw new Error(`bench/server.mjs: unknown row ${JSON.stringify(name)}; known: ${Object.keys(rows).join(', ')}`)
  // The parent going away ends the server: no orphan keeps a core busy.
  process.on('disconnect', () => process.exit(0))
  let port
  try {
    port = await listen(await factory())
  } catch (err) {
    // A row whose option this build does not have yet is reported, not fatal.
    if (err?.code !== 'FST_HEALTH_INVALID_OPTION') throw err
    process.send({ type: 'unavailable', reason: err.message })
    return
  }
  process.on('message', msg => {
    if (msg.type === 'usage') {
      process.send({ type: 'usage', id: msg.id, cpu: process.cpuUsage(), invocations, gc, rss: process.memoryUsage.rss() })
    } else if (msg.type === 'profile') {
      profile(msg.file).then(() => process.send({ type: 'profile', id: msg.id }))
    }
  })
  process.send({ type: 'ready', port })
}

main().catch(err => {
  process.send?.({ type: 'error', message: String(err?.stack ?? err) })
  console.error(err)
  process.exit(1)
})
