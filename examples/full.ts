// A complete app: CORS, security headers and request logging around the health plugin,
// with four liveness checks (database, cache, disk_space, external_api) and one readiness check (migrations).
// Run it with `npm run example:full`. It listens on port 9090; the environment can change that and the checks:
//
//   PORT, HOST          where to listen (default 9090 on 127.0.0.1; use HOST=0.0.0.0 in a container)
//   DATABASE_FILE       SQLite file to open with sql.js (default: an in-memory database)
//   DISK_PATH           a path on the filesystem whose free space `disk_space` watches (default: the working directory)
//   MIN_FREE_BYTES      free bytes `disk_space` requires (default 1 GiB)
//   EXTERNAL_API_URL    URL that `external_api` GETs; any 2xx passes (default: unset, and the check is not registered)
//   SHUTDOWN_DELAY_MS   graceful-shutdown delay between SIGTERM and close (default 5000, the plugin's default)
//   CORS_ORIGIN         origins allowed by CORS, comma separated (default: none)
//   LOG_LEVEL           pino level (default info)
//   KUBERNETES_PROBES   set to 1 to print the probe settings that fit this app as JSON and exit, without listening
//                       (app.health.kubernetesProbes(); kubernetes/deployment.yaml holds what it prints)
//
// Every check reads a real condition; nothing in here exists only for tests. The end-to-end tests make a check fail
// the way production would: an upstream answering 500 or hanging (external_api) or not enough free disk
// (MIN_FREE_BYTES set above what the disk has).
import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import initSqlJs from 'sql.js'
import healthPlugin from 'fastify-health'
import { diskSpace, http } from 'fastify-health/checks'

/** A small in-process cache with expiry, standing in for whatever cache the app keeps in memory. */
class MemoryCache {
  readonly #entries = new Map<string, { value: string, expires: number }>()

  set (key: string, value: string, ttlMs: number): void {
    this.#entries.set(key, { value, expires: Date.now() + ttlMs })
  }

  get (key: string): string | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= Date.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }
}

function numberFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`)
  return value
}

async function main (): Promise<void> {
  const minFreeBytes = numberFromEnv('MIN_FREE_BYTES', 1024 ** 3)
  const shutdownDelay = numberFromEnv('SHUTDOWN_DELAY_MS', 5000)
  const diskPath = process.env.DISK_PATH ?? '.'
  const externalApiUrl = process.env.EXTERNAL_API_URL

  // sql.js is SQLite compiled to WebAssembly: the same engine as sqlite3, without a native build.
  const SQL = await initSqlJs()
  const databaseFile = process.env.DATABASE_FILE
  const db = databaseFile === undefined ? new SQL.Database() : new SQL.Database(await readFile(databaseFile))

  // Fastify's logger is pino: one line per request and response. The plugin sets the probe routes' log level to
  // 'warn' by default, so probes every few seconds do not flood the log while other requests are still logged.
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  await app.register(helmet)
  // Cross-origin requests are refused unless CORS_ORIGIN lists the origins allowed (comma separated).
  await app.register(cors, { origin: process.env.CORS_ORIGIN?.split(',') ?? false })
  await app.register(healthPlugin, {
    path: '/health',
    readyPath: '/health/ready',
    // On SIGTERM readiness turns not_ready at once, and the app closes after the delay: load balancers and
    // Kubernetes endpoints stop sending traffic first. kubernetes/deployment.yaml's terminationGracePeriodSeconds
    // leaves room for this delay plus the requests still draining.
    gracefulShutdown: { delay: shutdownDelay }
  })
  app.addHook('onClose', async () => { db.close() })

  // `SELECT 1`. sql.js runs it synchronously, so the check needs no timeout handling of its own; a
  // closed or broken database throws and the check reports `error` with SQLite's message.
  app.addHealthCheck('database', () => {
    const [result] = db.exec('SELECT 1')
    return result?.values[0]?.[0] === 1
  })

  // A round trip through the cache: write a value and read it back.
  const cache = new MemoryCache()
  app.addHealthCheck('cache', () => {
    const value = String(Date.now())
    cache.set('health:probe', value, 60_000)
    return cache.get('health:probe') === value
  })

  // "At least 1 GiB free", with the ready-made check: statfs on each run, counting what an unprivileged process can
  // still write. Short of space, the check fails with the figures ("free 3 GiB < required 1 TiB").
  app.addHealthCheck('disk_space', diskSpace({ path: diskPath, minFreeBytes }))

  // The external API check. There is no honest default URL to call, so without EXTERNAL_API_URL the check is
  // not registered at all rather than pretending to pass. The ready-made `http` check aborts the request when the
  // check times out (800 ms by default) and fails on a non-2xx answer with the reason ("status 500, expected 2xx").
  // Note: a liveness check that fails restarts the pod in Kubernetes, and restarting does not fix somebody else's
  // API; for a dependency you do not own, prefer a readiness check, `{ impact: 'fleet' }`, or a route that requires
  // it (`config.health.requires`). The plugin warns about this one at start-up.
  if (externalApiUrl !== undefined && externalApiUrl !== '') {
    app.addHealthCheck('external_api', http(externalApiUrl))
  } else {
    app.log.info('EXTERNAL_API_URL is not set: the external_api check is not registered')
  }

  // Readiness: the schema is at the version this code expects. The migrations run before listen() here; an app that
  // migrates in the background would answer not_ready until they finish, and the check would see it in the table.
  const LATEST_MIGRATION = 1
  db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)')
  db.run('CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)')
  db.run('INSERT OR IGNORE INTO schema_migrations (version) VALUES (?)', [LATEST_MIGRATION])
  app.addReadyCheck('migrations', () => {
    const [result] = db.exec('SELECT MAX(version) FROM schema_migrations')
    return result?.values[0]?.[0] === LATEST_MIGRATION
  })

  app.get('/', async () => ({ hello: 'world' }))

  const port = Number(process.env.PORT ?? 9090)
  if (process.env.KUBERNETES_PROBES === '1') {
    await app.ready()
    console.log(JSON.stringify(app.health.kubernetesProbes({ port }), null, 2))
    await app.close()
    return
  }
  const address = await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' })
  console.log('Starting Fastify server with health checks...')
  console.log(`Health check endpoint: ${address}/health`)
  console.log(`Ready check endpoint: ${address}/health/ready`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
