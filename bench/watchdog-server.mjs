// The server of `npm run bench:watchdog`: `node bench/watchdog-server.mjs [watchdog-port]`, started by
// bench/watchdog.ts with an IPC channel. An app with one liveness check and GET /work, 5 ms of synchronous work per
// request (a CPU-bound route); with a port argument, the watchdog on that port. Listens on a free loopback port.
//
//   server -> parent  { type: 'ready', port }
//   parent -> server  { type: 'usage', id }  -> { type: 'usage', id, cpu }  (process.cpuUsage(): every thread)
//
// Closing the IPC channel closes the app, and the process ends by itself.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Fastify from 'fastify'

const HOST = '127.0.0.1'
const WORK_MS = 5
const pluginPath = process.env.BENCH_PLUGIN || join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')
const { default: healthPlugin } = await import(pathToFileURL(pluginPath).href)

const watchdogPort = process.argv[2] === undefined ? undefined : Number(process.argv[2])
const app = Fastify()
await app.register(healthPlugin, watchdogPort === undefined ? {} : { watchdog: { port: watchdogPort, host: HOST } })
app.addHealthCheck('loop', () => true)
app.get('/work', () => {
  const end = performance.now() + WORK_MS
  while (performance.now() < end);
  return { worked: WORK_MS }
})
await app.listen({ port: 0, host: HOST })

process.on('message', (msg) => {
  if (msg.type === 'usage') process.send({ type: 'usage', id: msg.id, cpu: process.cpuUsage() })
})
process.on('disconnect', () => { app.close() })
process.send({ type: 'ready', port: app.server.address().port })
