import { performance } from 'node:perf_hooks'
import { CheckState } from './check-state'
import { FST_HEALTH_DUPLICATE_CHECK, FST_HEALTH_INVALID_CHECK, FST_HEALTH_INVALID_CHECK_NAME, FST_HEALTH_REENTRANT_RUN } from './errors'
import { type CheckDefaults, normaliseCheckOptions } from './options'
import { PendingChecks } from './pending-checks'
import { counts } from './registry/impact'
import { runCheck } from './run-check'
import type { CheckResult, CheckStatus, HealthReport, ReadyReport, StartupReport } from './formats/schema'
import type { StatusLog } from './status-log'
import type { CheckKind, CheckOptions, HealthCheckFn, StatusChangeEvent } from './types'

export type Report = HealthReport | ReadyReport | StartupReport

/** What one run produced: the report, its status code, and (built on first use) the body without details. */
export interface RunOutcome {
  readonly code: 200 | 503
  readonly report: Report
  summary: Pick<Report, 'status' | 'timestamp'> | undefined
  /** The checks the run covered, and the checks of the set in registration order (for the text formats). */
  readonly selection: Selection
  readonly states: readonly CheckState[]
  /** Entries the app's own state added (startup, availability, readiness, shutdown), after the checks. */
  readonly extra?: readonly string[]
}

export const STATUS_WORDS = {
  health: { ok: 'healthy', bad: 'unhealthy', method: 'addHealthCheck' },
  ready: { ok: 'ready', bad: 'not_ready', method: 'addReadyCheck' },
  startup: { ok: 'started', bad: 'starting', method: 'addStartupCheck' }
} as const

/** Most distinct `?exclude=` selections whose runs are shared and cached; more are answered without sharing. */
const MAX_SELECTIONS = 64

/**
 * Which checks of a set a run covers: all of them, all but some (`?exclude=`), or one (a per-check route). Each
 * selection has its own run in progress and cached outcome, so a run with exclusions never answers for one without.
 */
export class Selection {
  inFlight: Promise<RunOutcome> | undefined
  cached: RunOutcome | undefined
  cachedUntil = 0
  constructor (
    /** Left out of the run; null for none. */
    readonly excluded: ReadonlySet<string> | null,
    /** The one check of a per-check route, else null. */
    readonly single: CheckState | null
  ) {}
}

export interface CheckSetOptions {
  kind: CheckKind
  cacheTtl: number
  defaults: CheckDefaults
  statusLog: StatusLog
  /** Called after each background observation, on a later microtask (never inside a run). */
  onBackgroundResult?: () => void
}

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'

/**
 * The checks of one kind (liveness, readiness or startup) and the machinery that runs them: every selected check
 * starts at once, concurrent requests share the run in progress (single-flight), a finished run may answer for
 * `cacheTtl` ms, background checks run on their own interval and are read rather than run, and each change of a
 * check's effective status is reported once.
 */
export class CheckSet {
  readonly kind: CheckKind
  readonly #words: typeof STATUS_WORDS[CheckKind]
  readonly #cacheTtl: number
  readonly #defaults: CheckDefaults
  readonly #statusLog: StatusLog
  readonly #onBackgroundResult: (() => void) | undefined

  // Append-only: a run covers the checks registered when it started (it remembers the count), so a check added
  // meanwhile cannot disturb it, and registering does not copy the array.
  readonly #states: CheckState[] = []
  readonly #byName = new Map<string, CheckState>()
  readonly #pending = new PendingChecks()
  readonly #all = new Selection(null, null)
  readonly #selections = new Map<string, Selection>()
  #starting = false
  #closing = false
  #scheduling = false
  #stopped = false
  /** performance.now() since which runs of all the checks have failed, or undefined while they pass. */
  failingSince: number | undefined

  constructor (options: CheckSetOptions) {
    this.kind = options.kind
    this.#words = STATUS_WORDS[options.kind]
    this.#cacheTtl = options.cacheTtl
    this.#defaults = options.defaults
    this.#statusLog = options.statusLog
    this.#onBackgroundResult = options.onBackgroundResult
  }

  /** The registered checks, in registration order. */
  get states (): readonly CheckState[] {
    return this.#states
  }

  /** The selection of all checks. */
  get all (): Selection {
    return this.#all
  }

  state (name: string): CheckState | undefined {
    return this.#byName.get(name)
  }

  add (name: unknown, fn: unknown, options: unknown): void {
    const method = this.#words.method
    if (typeof name !== 'string' || name === '') {
      throw new FST_HEALTH_INVALID_CHECK_NAME(`${method}() needs a non-empty string as the check name, received ${name === '' ? 'an empty string' : typeof name}`)
    }
    if (typeof fn !== 'function') {
      throw new FST_HEALTH_INVALID_CHECK(`${method}(${JSON.stringify(name)}) needs a function as the check, received ${fn === null ? 'null' : typeof fn}`)
    }
    if (this.#byName.has(name)) {
      throw new FST_HEALTH_DUPLICATE_CHECK(`${method}(${JSON.stringify(name)}): a ${this.kind} check with that name is already registered`)
    }
    const state = new CheckState(this.kind, name, fn as HealthCheckFn, normaliseCheckOptions(method, name, options as CheckOptions | undefined, this.#defaults))
    this.#byName.set(name, state)
    this.#states.push(state)
    if (state.interval !== null && this.#scheduling) this.#tick(state)
  }

  /** The selection without the named checks (unknown names are ignored), or all checks when none is known. */
  excluding (names: readonly string[]): Selection {
    const known = names.filter(name => this.#byName.has(name))
    if (known.length === 0) return this.#all
    const excluded = new Set(known)
    const key = JSON.stringify([...excluded].sort())
    let selection = this.#selections.get(key)
    if (selection === undefined) {
      selection = new Selection(excluded, null)
      if (this.#selections.size < MAX_SELECTIONS) this.#selections.set(key, selection)
    }
    return selection
  }

  /** The selection of one check, for its own route. */
  only (state: CheckState): Selection {
    return (state.selection ??= new Selection(null, state))
  }

  /** The outcome for a request: the cached one while fresh, the run in progress if any, or a new run. */
  get (selection: Selection = this.#all): RunOutcome | Promise<RunOutcome> {
    if (selection.cached !== undefined && performance.now() < selection.cachedUntil) return selection.cached
    if (selection.inFlight !== undefined) return selection.inFlight
    // A check that calls runHealthChecks() on its own kind synchronously would start run after run until the stack
    // overflows: the run it would share does not exist yet.
    if (this.#starting) {
      throw new FST_HEALTH_REENTRANT_RUN(`a ${this.kind} check asked for a run of the ${this.kind} checks while that run was starting`)
    }
    this.#starting = true
    let outcome: RunOutcome | Promise<RunOutcome>
    try {
      outcome = this.#run(selection)
    } finally {
      this.#starting = false
    }
    if (outcome instanceof Promise) selection.inFlight = outcome
    return outcome
  }

  /** Starts the background checks: each runs now, then every `interval` ms. Called when the app is ready. */
  startScheduling (): void {
    if (this.#scheduling || this.#closing || this.#stopped) return
    this.#scheduling = true
    for (const state of this.#states) if (state.interval !== null) this.#tick(state)
  }

  /** Stops the background checks for good, letting runs in progress finish (the startup checks, once started). */
  stopScheduling (): void {
    this.#stopped = true
    this.#scheduling = false
    for (const state of this.#states) {
      clearTimeout(state.timer)
      state.timer = undefined
    }
  }

  /**
   * Stops the background checks and ends every run in progress with an error, so that closing the app never waits on
   * a hanging check.
   */
  cancelPending (message: string): void {
    this.#closing = true
    this.#scheduling = false
    for (const state of this.#states) {
      clearTimeout(state.timer)
      // Else a run that the cancellation below ends with a failure would re-arm the timer to back off.
      state.timer = undefined
    }
    this.#pending.cancelAll(message)
  }

  #run (selection: Selection): RunOutcome | Promise<RunOutcome> {
    const states = selection.single === null ? this.#states : [selection.single]
    const count = states.length
    const excluded = selection.excluded
    // Per check: its on-demand result, `null` for a background check (read when the run ends), `undefined` when left out.
    const entries: Array<CheckResult | null | undefined> = new Array(count)
    let waits: Array<Promise<unknown>> | undefined
    let waitIndex: number[] | undefined
    for (let i = 0; i < count; i++) {
      const state = states[i]
      if (excluded !== null && excluded.has(state.name)) continue
      let entry: CheckResult | null | Promise<unknown>
      if (state.interval === null) {
        entry = runCheck(state, this.#pending, false)
      } else {
        // Never a made-up status: before its first result, a background check is waited for.
        if (state.entry === undefined && state.running === undefined) this.#runInBackground(state)
        entry = state.entry !== undefined
          ? null
          : state.running === undefined ? runCheck(state, this.#pending, false) : this.#pending.waitOn(state.running)
      }
      if (entry instanceof Promise) {
        (waits ??= []).push(entry);
        (waitIndex ??= []).push(i)
      } else {
        entries[i] = entry
      }
    }
    if (waits === undefined) return this.#finish(selection, states, count, entries)
    const index = waitIndex as number[]
    return Promise.allSettled(waits).then(settled => {
      // Neither PendingCheck promises nor background runs reject: every outcome, timeouts included, is fulfilled.
      for (let k = 0; k < settled.length; k++) {
        const value = (settled[k] as PromiseFulfilledResult<CheckResult | undefined>).value
        entries[index[k]] = value ?? null
      }
      return this.#finish(selection, states, count, entries)
    })
  }

  #finish (selection: Selection, states: readonly CheckState[], count: number, entries: Array<CheckResult | null | undefined>): RunOutcome {
    // First, so that whatever happens below, the next request starts a new run rather than sharing this one forever.
    selection.inFlight = undefined
    // Read only for background results: a run of on-demand checks needs no clock here.
    let now = -1
    const checks: Record<string, CheckResult> = {}
    let ok = true
    for (let i = 0; i < count; i++) {
      const observation = entries[i]
      const state = states[i]
      let entry: CheckResult
      if (observation === undefined) {
        continue
      } else if (observation === null) {
        if (now < 0) now = performance.now()
        entry = state.current(now)
      } else {
        this.#observe(state, observation)
        entry = state.entry as CheckResult
      }
      if (!passing(entry.status) && (selection.single !== null || counts(state, Date.now()))) ok = false
      // `__proto__` would set the prototype instead of adding a key.
      if (state.name === '__proto__') Object.defineProperty(checks, state.name, { value: entry, enumerable: true, writable: true, configurable: true })
      else checks[state.name] = entry
    }
    const outcome: RunOutcome = {
      code: ok ? 200 : 503,
      report: { status: ok ? this.#words.ok : this.#words.bad, timestamp: Date.now() / 1000, checks } as Report,
      summary: undefined,
      selection,
      states
    }
    if (selection === this.#all && (this.failingSince !== undefined || !ok)) {
      this.failingSince = ok ? undefined : (this.failingSince ?? performance.now())
    }
    if (this.#cacheTtl > 0) {
      selection.cached = outcome
      selection.cachedUntil = performance.now() + this.#cacheTtl
    }
    return outcome
  }

  /** Records one observation of a check and reports the change of its effective status, if any. */
  #observe (state: CheckState, observation: CheckResult): void {
    const previous = state.record(observation)
    if (previous === undefined) return
    const entry = state.entry as CheckResult
    const event: StatusChangeEvent = {
      name: state.name,
      kind: this.kind,
      previous,
      status: entry.status,
      duration: entry.duration,
      timestamp: entry.timestamp,
      critical: state.critical
    }
    if (entry.error !== undefined) event.error = entry.error
    this.#statusLog.changed(event)
  }

  /** One background run of a check, unless one is in flight already: at most one run of a check at a time. */
  #runInBackground (state: CheckState): void {
    if (state.running !== undefined || this.#closing) return
    const entry = runCheck(state, this.#pending, true)
    if (!(entry instanceof Promise)) {
      this.#observeInBackground(state, entry)
      return
    }
    state.running = entry.then(result => {
      state.running = undefined
      this.#observeInBackground(state, result)
    })
  }

  #observeInBackground (state: CheckState, observation: CheckResult): void {
    this.#observe(state, observation)
    if (this.#onBackgroundResult !== undefined) queueMicrotask(this.#onBackgroundResult)
    if (state.maxInterval === null) return
    // Back-off: while the check is failing, each failing run doubles the delay up to maxInterval; a pass resets it.
    const delay = passing(observation.status)
      ? state.interval as number
      : passing(state.effective as CheckStatus) ? state.delay : Math.min(state.delay * 2, state.maxInterval)
    if (delay === state.delay) return
    state.delay = delay
    if (state.timer !== undefined) this.#schedule(state, state.lastTick + delay - performance.now())
  }

  // Timers exist only while scheduling: stopping clears them all.
  #tick (state: CheckState): void {
    state.timer = undefined
    state.lastTick = performance.now()
    this.#schedule(state, state.delay)
    this.#runInBackground(state)
  }

  #schedule (state: CheckState, delay: number): void {
    clearTimeout(state.timer)
    state.timer = setTimeout(() => { this.#tick(state) }, Math.max(0, delay))
    // A background check never holds the process open.
    state.timer.unref()
  }
}
