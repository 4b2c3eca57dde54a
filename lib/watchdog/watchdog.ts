import { extname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'
import { logThrown } from '../callbacks'
import { FST_HEALTH_WATCHDOG_LISTEN } from '../errors'
import type { NormalisedOptions } from '../options'
import type { Answer } from './answers'
import type { ForwardedRequest, MainMessage, WorkerConfig, WorkerMessage } from './protocol'

/** The most often the heartbeat is written: often enough to tell `stuckAfter` from a pause between two beats. */
const MAX_HEARTBEAT = 1000
/** Unexpected exits restarted within one minute; one more and the watchdog stays down. */
export const RESTARTS_PER_MINUTE = 3
// The compiled worker.js beside this file, or worker.ts when the sources run under a TypeScript loader (which the
// worker inherits with the process's execArgv).
const WORKER_FILE = join(__dirname, `worker${extname(__filename)}`)

type Config = Omit<WorkerConfig, 'heartbeat'>

/**
 * The main thread's side of the watchdog: the heartbeat it writes into shared memory, the answers to the requests the
 * worker forwards (by `app.inject()`, so that they are the main port's answers byte for byte), and the worker's life:
 * started when the app is ready, restarted when it exits unexpectedly, terminated when the app closes. Nothing of it
 * keeps the process alive.
 */
export class Watchdog {
  readonly #app: FastifyInstance
  readonly #config: WorkerConfig
  readonly #beat: BigInt64Array
  #timer: NodeJS.Timeout | undefined
  #worker: Worker | undefined
  #stopped = false
  #restarts: number[] = []

  constructor (app: FastifyInstance, config: Config) {
    this.#app = app
    const heartbeat = new SharedArrayBuffer(8)
    this.#beat = new BigInt64Array(heartbeat)
    this.#config = { ...config, heartbeat }
  }

  /** Starts the heartbeat and the worker; rejects with FST_HEALTH_WATCHDOG_LISTEN when the port cannot be bound. */
  async start (): Promise<void> {
    this.#heartbeat()
    this.#timer = setInterval(() => { this.#heartbeat() }, Math.min(MAX_HEARTBEAT, this.#config.stuckAfter / 5))
    this.#timer.unref()
    await this.#spawn()
  }

  /** Stops the heartbeat and terminates the worker, which closes its port. */
  async stop (): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#worker?.terminate()
  }

  #heartbeat (): void {
    Atomics.store(this.#beat, 0, process.hrtime.bigint())
  }

  async #spawn (): Promise<void> {
    const worker = new Worker(WORKER_FILE, { workerData: this.#config })
    this.#worker = worker
    worker.on('error', (err) => { logThrown(this.#app.log, 'error', err, 'fastify-health: the watchdog thread failed') })
    await new Promise<void>((resolve, reject) => {
      let listening = false
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'request') {
          this.#answer(worker, message)
        } else if (message.type === 'listening') {
          listening = true
          // A restart takes the same port, also when the system picked it.
          this.#config.port = message.port
          // Held until listening, so that a process waiting for ready() does not end in between.
          worker.unref()
          this.#app.log.info({ watchdog: { address: message.address, port: message.port } }, `fastify-health: watchdog listening on ${message.address} port ${message.port}`)
          resolve()
        } else {
          this.#stopped = true
          worker.terminate()
          reject(new FST_HEALTH_WATCHDOG_LISTEN(`the watchdog cannot listen on ${this.#where()}: ${message.message}`))
        }
      })
      worker.on('exit', (code) => {
        if (this.#stopped) return
        if (listening) this.#restart(code)
        else reject(new FST_HEALTH_WATCHDOG_LISTEN(`the watchdog thread exited with code ${code} before it listened on ${this.#where()}`))
      })
    })
  }

  #where (): string {
    return this.#config.host === undefined ? `port ${this.#config.port}` : `${this.#config.host} port ${this.#config.port}`
  }

  #answer (worker: Worker, request: ForwardedRequest): void {
    const reply = (message: MainMessage, transfer?: ArrayBuffer[]): void => { worker.postMessage(message, transfer) }
    reply({ type: 'ack', id: request.id })
    this.#app.inject({ method: request.method, url: request.url, headers: request.headers }).then(response => {
      // A copy of exactly the body's bytes (an inject payload may be a view into a larger buffer), handed over.
      const body = new Uint8Array(response.rawPayload)
      reply({ type: 'answer', id: request.id, status: response.statusCode, headers: response.headers as Answer['headers'], body }, [body.buffer])
    }, () => { reply({ type: 'failed', id: request.id }) })
  }

  #restart (code: number): void {
    const now = performance.now()
    this.#restarts = this.#restarts.filter(at => now - at < 60_000)
    if (this.#restarts.length >= RESTARTS_PER_MINUTE) {
      this.#app.log.error(`fastify-health: the watchdog thread exited with code ${code}, the ${RESTARTS_PER_MINUTE + 1}th time within a minute; it stays down`)
      return
    }
    this.#restarts.push(now)
    this.#app.log.error(`fastify-health: the watchdog thread exited with code ${code}; restarting it`)
    this.#spawn().catch((err: unknown) => { logThrown(this.#app.log, 'error', err, 'fastify-health: the watchdog thread could not be restarted') })
  }
}

/** Runs a watchdog from the moment the app is ready until it closes. */
export function installWatchdog (app: FastifyInstance, opts: NormalisedOptions, watchdog: NonNullable<NormalisedOptions['watchdog']>): void {
  const instance = new Watchdog(app, {
    ...watchdog,
    timeout: opts.timeout,
    paths: { health: opts.path, ready: opts.readyPath, startup: opts.startupPath },
    details: opts.exposeDetails === true,
    service: opts.service
  })
  app.addHook('onReady', async () => { await instance.start() })
  app.addHook('onClose', async () => { await instance.stop() })
}
