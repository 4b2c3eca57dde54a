import { performance } from 'node:perf_hooks'
import type { FastifyBaseLogger } from 'fastify'
import { FST_HEALTH_DUPLICATE_CHECK, FST_HEALTH_INVALID_CHECK, FST_HEALTH_INVALID_CHECK_NAME, FST_HEALTH_REENTRANT_RUN } from './errors'
import { normaliseCheckOptions } from './options'
import { PendingChecks } from './pending-checks'
import { type RegisteredCheck, runCheck } from './run-check'
import type { CheckResult, HealthReport, ReadyReport } from './schema'
import type { CheckKind, CheckOptions, HealthCheckFn, StatusChangeEvent } from './types'

export type Report = HealthReport | ReadyReport

/** What one run produced: the report, its status code, and (built on first use) the body without details. */
export interface RunOutcome {
  readonly code: 200 | 503
  readonly report: Report
  summary: Pick<Report, 'status' | 'timestamp'> | undefined
}

const STATUS_WORDS = {
  health: { ok: 'healthy', bad: 'unhealthy', method: 'addHealthCheck' },
  ready: { ok: 'ready', bad: 'not_ready', method: 'addReadyCheck' }
} as const

/** Key of the entry that a readiness report carries while the app is shutting down. */
const SHUTDOWN_CHECK = 'shutdown'

export interface CheckSetOptions {
  kind: CheckKind
  timeout: number
  cacheTtl: number
  log: FastifyBaseLogger
  onStatusChange: ((event: StatusChangeEvent) => void) | null
}

/**
 * The checks of one kind (liveness or readiness) and the machinery that runs them: every check starts at once,
 * concurrent requests share the run in progress (single-flight), a finished run may answer for `cacheTtl` ms, and
 * each change of a check's status is logged and reported once.
 */
export class CheckSet {
  readonly kind: CheckKind
  readonly #words: typeof STATUS_WORDS[CheckKind]
  readonly #timeout: number
  readonly #cacheTtl: number
  readonly #log: FastifyBaseLogger
  readonly #onStatusChange: CheckSetOptions['onStatusChange']

  // Replaced, never mutated: a run holds on to the array it started with, so a check added meanwhile is not part
  // of it and cannot disturb it.
  #checks: readonly RegisteredCheck[] = []
  readonly #names = new Set<string>()
  readonly #pending = new PendingChecks()
  #inFlight: Promise<RunOutcome> | undefined
  #cached: RunOutcome | undefined
  #cachedUntil = 0
  #shuttingDown = false
  #closing = false
  #starting = false

  constructor (options: CheckSetOptions) {
    this.kind = options.kind
    this.#words = STATUS_WORDS[options.kind]
    this.#timeout = options.timeout
    this.#cacheTtl = options.cacheTtl
    this.#log = options.log
    this.#onStatusChange = options.onStatusChange
  }

  get checks (): readonly RegisteredCheck[] {
    return this.#checks
  }

  add (name: unknown, fn: unknown, options: CheckOptions | undefined): void {
    const method = this.#words.method
    if (typeof name !== 'string' || name === '') {
      throw new FST_HEALTH_INVALID_CHECK_NAME(`${method}() needs a non-empty string as the check name, received ${name === '' ? 'an empty string' : typeof name}`)
    }
    if (typeof fn !== 'function') {
      throw new FST_HEALTH_INVALID_CHECK(`${method}(${JSON.stringify(name)}) needs a function as the check, received ${fn === null ? 'null' : typeof fn}`)
    }
    if (this.#names.has(name)) {
      throw new FST_HEALTH_DUPLICATE_CHECK(`${method}(${JSON.stringify(name)}): a ${this.kind} check with that name is already registered`)
    }
    const { timeout, critical } = normaliseCheckOptions(method, name, options, this.#timeout)
    this.#names.add(name)
    this.#checks = [...this.#checks, {
      name,
      fn: fn as HealthCheckFn,
      timeout,
      critical,
      timeoutMessage: `timed out after ${timeout} ms`,
      lastStatus: null
    }]
  }

  /** The outcome for a request: the cached one while fresh, the run in progress if any, or a new run. */
  get (): RunOutcome | Promise<RunOutcome> {
    if (this.#shuttingDown) return this.#shutdownOutcome()
    if (this.#cached !== undefined && performance.now() < this.#cachedUntil) return this.#cached
    if (this.#inFlight !== undefined) return this.#inFlight
    // A check that calls runHealthChecks() on its own kind synchronously would start run after run until the stack
    // overflows: the run it would share does not exist yet.
    if (this.#starting) {
      throw new FST_HEALTH_REENTRANT_RUN(`a ${this.kind} check asked for a run of the ${this.kind} checks while that run was starting`)
    }
    this.#starting = true
    let outcome: RunOutcome | Promise<RunOutcome>
    try {
      outcome = this.#run()
    } finally {
      this.#starting = false
    }
    if (outcome instanceof Promise) this.#inFlight = outcome
    return outcome
  }

  /** From now on, answer `not_ready` with a `shutdown` entry, without running the checks. */
  startShutdown (): void {
    this.#shuttingDown = true
  }

  /**
   * Ends every run in progress with an error, so that closing the app never waits on a hanging check. The app is
   * closing: these cancellations, and whatever runs after them, are not status changes worth a log line or an event.
   */
  cancelPending (message: string): void {
    this.#closing = true
    this.#pending.cancelAll(message)
  }

  #run (): RunOutcome | Promise<RunOutcome> {
    const checks = this.#checks
    const entries: CheckResult[] = new Array(checks.length)
    let waits: Promise<CheckResult>[] | undefined
    let waitIndex: number[] | undefined
    for (let i = 0; i < checks.length; i++) {
      const entry = runCheck(checks[i], this.#pending)
      if (entry instanceof Promise) {
        (waits ??= []).push(entry);
        (waitIndex ??= []).push(i)
      } else {
        entries[i] = entry
      }
    }
    if (waits === undefined) return this.#finish(checks, entries)
    const index = waitIndex as number[]
    return Promise.allSettled(waits).then(settled => {
      // PendingCheck promises never reject: every outcome, timeouts included, arrives as a fulfilled entry.
      for (let k = 0; k < settled.length; k++) entries[index[k]] = (settled[k] as PromiseFulfilledResult<CheckResult>).value
      return this.#finish(checks, entries)
    })
  }

  #finish (checks: readonly RegisteredCheck[], entries: CheckResult[]): RunOutcome {
    // First, so that whatever happens below, the next request starts a new run rather than sharing this one forever.
    this.#inFlight = undefined
    const byName: Record<string, CheckResult> = {}
    let ok = true
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]
      const entry = entries[i]
      if (entry.status !== 'pass' && check.critical) ok = false
      // `__proto__` would set the prototype instead of adding a key.
      if (check.name === '__proto__') Object.defineProperty(byName, check.name, { value: entry, enumerable: true, writable: true, configurable: true })
      else byName[check.name] = entry
      if (check.lastStatus !== entry.status && !this.#closing) this.#statusChanged(check, entry)
    }
    const outcome: RunOutcome = {
      code: ok ? 200 : 503,
      report: { status: ok ? this.#words.ok : this.#words.bad, timestamp: Date.now() / 1000, checks: byName } as Report,
      summary: undefined
    }
    if (this.#cacheTtl > 0) {
      this.#cached = outcome
      this.#cachedUntil = performance.now() + this.#cacheTtl
    }
    return outcome
  }

  #statusChanged (check: RegisteredCheck, entry: CheckResult): void {
    const previous = check.lastStatus
    check.lastStatus = entry.status
    const event: StatusChangeEvent = {
      name: check.name,
      kind: this.kind,
      previous,
      status: entry.status,
      duration: entry.duration,
      timestamp: entry.timestamp,
      critical: check.critical
    }
    if (entry.error !== undefined) event.error = entry.error
    // A first run that passes is the expected state, not news; anything that leaves or returns to `pass` is.
    if (entry.status !== 'pass') {
      this.#log.warn({ healthCheck: event }, `fastify-health: ${this.kind} check ${JSON.stringify(check.name)} is ${entry.status}${entry.error === undefined ? '' : `: ${entry.error}`}`)
    } else if (previous !== null) {
      this.#log.info({ healthCheck: event }, `fastify-health: ${this.kind} check ${JSON.stringify(check.name)} passes again`)
    }
    if (this.#onStatusChange !== null) {
      try {
        this.#onStatusChange(event)
      } catch (err) {
        try {
          this.#log.error({ err }, 'fastify-health: onStatusChange threw; the change is still applied')
        } catch {
          // pino's error serialiser reads message/stack/cause, which a hostile thrown value may make throw.
          this.#log.error('fastify-health: onStatusChange threw a value that cannot be logged; the change is still applied')
        }
      }
    }
  }

  #shutdownOutcome (): RunOutcome {
    const timestamp = Date.now() / 1000
    const entry: CheckResult = { status: 'fail', error: 'the server is shutting down', timestamp, duration: 0 }
    return {
      code: 503,
      report: { status: this.#words.bad, timestamp, checks: { [SHUTDOWN_CHECK]: entry } } as Report,
      summary: undefined
    }
  }
}
