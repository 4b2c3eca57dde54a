// One benchmark target per process: `node bench/server.mjs <target>`, started by bench/run.ts with an IPC channel.
//
// Plain JavaScript on purpose: the measured process runs exactly what a user runs (the built plugin from dist/,
// loaded by its package name), with no TypeScript loader adding memory or start-up work to the figures.
//
// IPC protocol (so that reading the server's own cost never goes through the HTTP stack being measured):
//   server -> parent  { type: 'ready', port }
//   parent -> server  { type: 'usage', id, gc? }   answered by
//                     { type: 'usage', id, cpu, rss, heapUsed, activeResources, invocations, overlapping, arrivals }
//   With gc: true (server started with --expose-gc), memory is read after pending timers fire and full GCs.
//   parent -> server  { type: 'profile', id, file? }   starts the V8 CPU profiler, or (with file) stops it and
//                     writes the .cpuprofile there; answered by { type: 'profile', id }. Only the measured run is
//                     profiled: start-up and warm-up stay out of the figures.
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import { Session } from 'node:inspector'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { pathToFileURL } from 'node:url'
import underPressure from '@fastify/under-pressure'
import fastifyHealthcheck from 'fastify-healthcheck'
import customHealthcheck from 'fastify-custom-healthcheck'

const HOST = '127.0.0.1'

// The built package by default; BENCH_PLUGIN=<path to another build's index.js> loads a candidate build instead,
// to measure a proposed change to lib/ with the same harness.
const { default: healthPlugin } = process.env.BENCH_PLUGIN
  ? await import(pathToFileURL(process.env.BENCH_PLUGIN).href)
  : await import('fastify-health')

/** How many times any check of this server has been called: the parent reads it to prove single-flight. */
let invocations = 0
/** First and last arrival (performance.now(), ms) of a probe request, for the concurrency test. */
const arrivals = { first: -1, last: -1, count: 0 }
/** Calls of the burst target's check that began while an earlier call was still running: single-flight says 0. */
let overlapping = 0
let running = 0

const syncPass = () => { invocations++; return true }
const asyncPass = async () => { invocations++; return true }
const slowPass = (ms) => () => {
  invocations++
  return new Promise(resolve => setTimeout(resolve, ms, true))
}

// The body shape every fastify-health target answers, written out as JSON Schema (the plugin's own TypeBox schema
// is not exported), so that the floor pays for the same serialiser.
const checkResultSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['pass', 'fail', 'error'] },
    error: { type: 'string' },
    timestamp: { type: 'number' },
    duration: { type: 'number' },
    critical: { type: 'boolean' }
  },
  required: ['status', 'timestamp', 'duration']
}
const reportSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'unhealthy'] },
    timestamp: { type: 'number' },
    checks: { type: 'object', additionalProperties: checkResultSchema }
  },
  required: ['status', 'timestamp']
}

/** A report of three passing checks, as fastify-health would produce it. */
function constantReport () {
  const timestamp = Date.now() / 1000
  const entry = { status: 'pass', timestamp, duration: 0.004 }
  return { status: 'healthy', timestamp, checks: { a: entry, b: { ...entry }, c: { ...entry } } }
}

/** fastify-health with `checks` registered, and any plugin options. */
function fh (checks, options = {}) {
  return async () => {
    const app = Fastify()
    await app.register(healthPlugin, options)
    checks.forEach((fn, i) => app.addHealthCheck(`c${i}`, fn))
    return app
  }
}

const times = (n, fn) => Array.from({ length: n }, () => fn)

/** Checks of the memory soak: every way a check can end badly. */
const leakChecks = {
  health: {
    pass: syncPass,
    fail: () => { invocations++; return false },
    throws: () => { invocations++; throw new Error('boom') },
    rejects: async () => { invocations++; throw new Error('async boom') },
    // Never settles: only the timeout ends the run, which must keep neither the promise nor its timer.
    hangs: () => { invocations++; return new Promise(() => {}) },
    // Settles after its timeout: the late answer must be ignored and leave nothing behind.
    late: slowPass(12)
  },
  ready: {
    passAsync: asyncPass,
    failAsync: async () => { invocations++; return false },
    nonBoolean: () => { invocations++; return 42 },
    throwsString: () => { invocations++; throw 'not an Error' }, // eslint-disable-line no-throw-literal
    // Listens on its AbortSignal and hangs: the timeout aborts it, and the listener must go with the run.
    listensThenHangs: ({ signal }) => {
      invocations++
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
    },
    optionalFails: () => { invocations++; return false }
  }
}

/** Target name -> factory of a server (a Fastify app, or a node:http server) answering GET /health. */
const targets = {
  // Reference only: the cost of node:http answering the floor's bytes with no framework at all.
  'node-http': async () => {
    const body = JSON.stringify(constantReport())
    return http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  },
  // The floor: a bare Fastify route with the same response schema and header, answering a constant report.
  floor: async () => {
    const app = Fastify()
    const report = constantReport()
    app.get('/health', { schema: { response: { 200: reportSchema, 503: reportSchema } } }, (_request, reply) => {
      reply.header('cache-control', 'no-store')
      return report
    })
    return app
  },
  // What a team writes by hand: Promise.allSettled over three async checks, same report and schema.
  'naive-allsettled-3': async () => {
    const app = Fastify()
    const checks = times(3, asyncPass)
    const names = ['a', 'b', 'c']
    app.get('/health', { schema: { response: { 200: reportSchema, 503: reportSchema } } }, async (_request, reply) => {
      const start = performance.now()
      const settled = await Promise.allSettled(checks.map(fn => fn()))
      const timestamp = Date.now() / 1000
      const entries = {}
      let ok = true
      settled.forEach((s, i) => {
        const pass = s.status === 'fulfilled' && s.value === true
        if (!pass) ok = false
        entries[names[i]] = { status: pass ? 'pass' : 'error', timestamp, duration: performance.now() - start }
      })
      reply.header('cache-control', 'no-store').code(ok ? 200 : 503)
      return { status: ok ? 'healthy' : 'unhealthy', timestamp, checks: entries }
    })
    return app
  },
  'fh-0': fh([]),
  'fh-1-async': fh([asyncPass]),
  'fh-1-async-ttl1000': fh([asyncPass], { cacheTtl: 1000 }),
  'fh-3-sync': fh(times(3, syncPass)),
  'fh-3-sync-ttl1000': fh(times(3, syncPass), { cacheTtl: 1000 }),
  'fh-3-async': fh(times(3, asyncPass)),
  'fh-10-mixed': fh([...times(5, syncPass), ...times(5, asyncPass)]),
  'fh-3x20ms-ttl0': fh(times(3, slowPass(20)), { cacheTtl: 0 }),
  'fh-3x20ms-ttl1000': fh(times(3, slowPass(20)), { cacheTtl: 1000 }),
  'fh-10x50ms': fh(times(10, slowPass(50))),
  // Single-flight proof: one 100 ms check, no cache. Arrivals are recorded so that the report can show whether the
  // requests overlapped the run (requests that arrive after it ended rightly start another).
  'fh-1x100ms': async () => {
    const check = () => {
      if (running > 0) overlapping++
      running++
      invocations++
      return new Promise(resolve => setTimeout(() => { running--; resolve(true) }, 100))
    }
    const app = await fh([check], { timeout: 5000 })()
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.url === '/health') {
        const now = performance.now()
        if (arrivals.first < 0) arrivals.first = now
        arrivals.last = now
        arrivals.count++
      }
      done()
    })
    return app
  },
  // Memory soak: liveness and readiness checks that pass, fail, throw, reject, return a non-boolean, hang forever
  // (ended by a 5 ms timeout), settle after their timeout, or listen on their AbortSignal; see leakChecks above.
  'fh-leak-mix': async () => {
    const app = Fastify()
    await app.register(healthPlugin, { timeout: 5 })
    for (const [name, fn] of Object.entries(leakChecks.health)) app.addHealthCheck(name, fn)
    for (const [name, fn] of Object.entries(leakChecks.ready)) {
      app.addReadyCheck(name, fn, name === 'optionalFails' ? { critical: false } : undefined)
    }
    return app
  },
  // Peers, each doing the same work: one (or, where the peer takes several, three) check(s) returning true.
  'under-pressure': async () => {
    const app = Fastify()
    await app.register(underPressure, { exposeStatusRoute: '/health', healthCheck: asyncPass })
    return app
  },
  // fastify-healthcheck has no per-request check: its check is under-pressure's healthCheck run on an interval.
  'fastify-healthcheck': async () => {
    const app = Fastify()
    await app.register(fastifyHealthcheck, { underPressureOptions: { healthCheck: asyncPass, healthCheckInterval: 1000 } })
    return app
  },
  'custom-healthcheck-3': async () => {
    const app = Fastify()
    await app.register(customHealthcheck)
    for (const name of ['a', 'b', 'c']) app.addHealthCheck(name, asyncPass)
    return app
  }
}

async function usage (collect) {
  if (collect && typeof globalThis.gc === 'function') {
    // Let the checks' own late timers (12 ms) fire, then collect until the heap is stable.
    await sleep(50)
    for (let i = 0; i < 3; i++) {
      globalThis.gc()
      await sleep(10)
    }
  }
  const mem = process.memoryUsage()
  return {
    cpu: process.cpuUsage(),
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    activeResources: process.getActiveResourcesInfo().length,
    invocations,
    overlapping,
    arrivals
  }
}

let session

/** Starts the CPU profiler, or stops it and writes the profile to `file`. */
async function profile (file) {
  const post = (method, params) => new Promise((resolve, reject) => {
    session.post(method, params, (err, result) => err ? reject(err) : resolve(result))
  })
  if (file === undefined) {
    session ??= new Session()
    session.connect()
    await post('Profiler.enable')
    await post('Profiler.start')
  } else {
    const { profile } = await post('Profiler.stop')
    session.disconnect()
    writeFileSync(file, JSON.stringify(profile))
  }
}

async function main () {
  const name = process.argv[2]
  const factory = targets[name]
  if (factory === undefined) {
    console.error(`bench/server.mjs: unknown target ${JSON.stringify(name)}; known: ${Object.keys(targets).join(', ')}`)
    process.exit(2)
  }
  const server = await factory()
  let port
  if (server instanceof http.Server) {
    await new Promise(resolve => server.listen(0, HOST, resolve))
    port = server.address().port
  } else {
    await server.listen({ port: 0, host: HOST })
    port = server.server.address().port
  }
  process.on('message', msg => {
    if (msg.type === 'usage') usage(msg.gc === true).then(u => process.send({ type: 'usage', id: msg.id, ...u }))
    if (msg.type === 'profile') profile(msg.file).then(() => process.send({ type: 'profile', id: msg.id }))
  })
  // The parent going away (or closing the channel) ends the server: no orphan keeps a core busy.
  process.on('disconnect', () => process.exit(0))
  process.send({ type: 'ready', port })
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
