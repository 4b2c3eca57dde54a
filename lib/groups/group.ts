import { performance } from 'node:perf_hooks'
import type { CheckState } from '../registry/check-state'
import { counts } from '../registry/impact'
import type { Registry } from '../registry/registry'
import { FST_HEALTH_DUPLICATE_CHECK, FST_HEALTH_REENTRANT_RUN } from '../errors'
import type { CheckResult, CheckStatus, HealthReport, ReadyReport, StartupReport } from '../formats/schema'
import type { CheckKind } from '../types'

export type Report = HealthReport | ReadyReport | StartupReport

/** What one evaluation of a group produced: the report, its status code, and (built on first use) the body without details. */
export interface RunOutcome {
  readonly code: 200 | 503
  readonly report: Report
  summary: Pick<Report, 'status' | 'timestamp'> | undefined
  /** The checks the evaluation covered, and the checks of the group in registration order (for the text formats). */
  readonly selection: Selection
  readonly states: readonly CheckState[]
  /** The group answered. */
  readonly group: Group
  /** Entries the app's own state added (startup, availability, readiness, shutdown), after the checks. */
  readonly extra?: readonly string[]
}

export interface StatusWords {
  readonly ok: string
  readonly bad: string
  /** The method that adds a check to the group, for error messages. */
  readonly method: string
  /** The word of the verbose text's last line (`health check passed`). */
  readonly label: string
}

export const STATUS_WORDS: Record<CheckKind, StatusWords> = {
  health: { ok: 'healthy', bad: 'unhealthy', method: 'addHealthCheck', label: 'health' },
  ready: { ok: 'ready', bad: 'not_ready', method: 'addReadyCheck', label: 'ready' },
  startup: { ok: 'started', bad: 'starting', method: 'addStartupCheck', label: 'startup' }
}

/**
 * Which checks of a group an evaluation covers: all of them, all but some (`?exclude=`), or one (a per-check route).
 * The selection of all and those of one check are kept and share their evaluation in progress and cached outcome;
 * a selection with exclusions is made per request (its checks' runs and cached results are shared all the same).
 */
export class Selection {
  inFlight: Promise<RunOutcome> | undefined
  cached: RunOutcome | undefined
  cachedUntil = 0
  constructor (
    /** Left out of the evaluation; null for none. */
    readonly excluded: ReadonlySet<string> | null,
    /** The one check of a per-check route, else null. */
    readonly single: CheckState | null
  ) {}
}

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'

/**
 * A named view over the registry: the checks that list it (membership is declared by the checks, nowhere else),
 * and how their states make one report. The built-in groups `health`, `ready` and `startup` are three of these;
 * custom groups are others. Every check starts at once and a check in several groups runs once for all of them.
 */
export class Group {
  readonly name: string
  /** The probe this group answers for, or null for a custom group. */
  readonly kind: CheckKind | null
  readonly words: StatusWords
  readonly #registry: Registry
  readonly #cacheTtl: number
  // Append-only: an evaluation covers the checks registered when it started (it remembers the count).
  readonly #states: CheckState[] = []
  readonly #byName = new Map<string, CheckState>()
  readonly #all = new Selection(null, null)
  readonly #singles = new Map<CheckState, Selection>()
  #starting = false
  /** performance.now() since which evaluations of all the checks have failed, or undefined while they pass. */
  failingSince: number | undefined

  constructor (name: string, kind: CheckKind | null, registry: Registry, cacheTtl: number) {
    this.name = name
    this.kind = kind
    this.words = kind === null ? { ok: 'healthy', bad: 'unhealthy', method: 'addCheck', label: name } : STATUS_WORDS[kind]
    this.#registry = registry
    this.#cacheTtl = cacheTtl
  }

  /** The group's checks, in the order they joined. */
  get states (): readonly CheckState[] {
    return this.#states
  }

  get all (): Selection {
    return this.#all
  }

  state (name: string): CheckState | undefined {
    return this.#byName.get(name)
  }

  /** Whether `state` may join: a group holds one check per name. Throws, naming the method, when it may not. */
  accepts (state: CheckState, method: string): void {
    const other = this.#byName.get(state.name)
    if (other === undefined) return
    const what = this.kind === null ? `group ${JSON.stringify(this.name)} already has a check` : `a ${this.kind} check`
    throw new FST_HEALTH_DUPLICATE_CHECK(`${method}(${JSON.stringify(state.name)}): ${what} with that name is already registered`)
  }

  add (state: CheckState): void {
    this.#byName.set(state.name, state)
    this.#states.push(state)
  }

  /** The selection without the named checks (unknown names are ignored), or all checks when none is known. */
  excluding (names: readonly string[]): Selection {
    let excluded: Set<string> | undefined
    for (const name of names) if (this.#byName.has(name)) (excluded ??= new Set()).add(name)
    return excluded === undefined ? this.#all : new Selection(excluded, null)
  }

  /** The selection of one check, for its own route. */
  only (state: CheckState): Selection {
    let selection = this.#singles.get(state)
    if (selection === undefined) this.#singles.set(state, selection = new Selection(null, state))
    return selection
  }

  /** The outcome for a request: the cached one while fresh, the evaluation in progress if any, or a new one. */
  get (selection: Selection = this.#all): RunOutcome | Promise<RunOutcome> {
    if (selection.cached !== undefined && performance.now() < selection.cachedUntil) return selection.cached
    if (selection.inFlight !== undefined) return selection.inFlight
    // A check that asks for a report of its own group synchronously would start evaluation after evaluation until
    // the stack overflows: the one it would share does not exist yet.
    if (this.#starting) {
      throw new FST_HEALTH_REENTRANT_RUN(this.kind === null
        ? `a check of group ${JSON.stringify(this.name)} asked for a report of that group while that report was starting`
        : `a ${this.kind} check asked for a run of the ${this.kind} checks while that run was starting`)
    }
    this.#starting = true
    let outcome: RunOutcome | Promise<RunOutcome>
    try {
      outcome = this.#evaluate(selection)
    } finally {
      this.#starting = false
    }
    if (outcome instanceof Promise) selection.inFlight = outcome
    return outcome
  }

  #evaluate (selection: Selection): RunOutcome | Promise<RunOutcome> {
    const states = selection.single === null ? this.#states : [selection.single]
    const count = states.length
    const excluded = selection.excluded
    const registry = this.#registry
    let waits: Array<Promise<unknown>> | undefined
    for (let i = 0; i < count; i++) {
      const state = states[i]
      if (excluded !== null && excluded.has(state.name)) continue
      const wait = registry.evaluate(state)
      if (wait !== undefined) (waits ??= []).push(wait)
    }
    if (waits === undefined) return this.#finish(selection, states, count)
    // Evaluations never reject: every outcome, timeouts included, is in the checks' states when they settle.
    return Promise.allSettled(waits).then(() => this.#finish(selection, states, count))
  }

  #finish (selection: Selection, states: readonly CheckState[], count: number): RunOutcome {
    // First, so that whatever happens below, the next request starts a new evaluation rather than sharing this one.
    selection.inFlight = undefined
    const excluded = selection.excluded
    // Read only for background results: an evaluation of on-demand checks needs no clock here.
    let now = -1
    // With a cache, the outcome answers until the first of its on-demand results expires.
    let until = Infinity
    const checks: Record<string, CheckResult> = {}
    let ok = true
    for (let i = 0; i < count; i++) {
      const state = states[i]
      if (excluded !== null && excluded.has(state.name)) continue
      let entry = state.skipped
      if (entry === undefined) {
        if (state.interval === null) {
          entry = state.entry as CheckResult
          if (state.cachedUntil < until) until = state.cachedUntil
        } else {
          if (now < 0) now = performance.now()
          entry = state.current(now)
        }
      }
      if (!passing(entry.status) && (selection.single !== null || counts(state, Date.now()))) ok = false
      // `__proto__` would set the prototype instead of adding a key.
      if (state.name === '__proto__') Object.defineProperty(checks, state.name, { value: entry, enumerable: true, writable: true, configurable: true })
      else checks[state.name] = entry
    }
    const outcome: RunOutcome = {
      code: ok ? 200 : 503,
      report: { status: ok ? this.words.ok : this.words.bad, timestamp: Date.now() / 1000, checks } as Report,
      summary: undefined,
      selection,
      states,
      group: this
    }
    if (selection === this.#all && (this.failingSince !== undefined || !ok)) {
      this.failingSince = ok ? undefined : (this.failingSince ?? performance.now())
    }
    if (this.#cacheTtl > 0) {
      selection.cached = outcome
      selection.cachedUntil = Math.min(until, performance.now() + this.#cacheTtl)
    }
    return outcome
  }
}
