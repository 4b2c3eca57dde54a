import { performance } from 'node:perf_hooks'
import type { Selection } from './check-set'
import type { NormalisedCheckOptions } from './options'
import type { CheckResult, CheckStatus } from './formats/schema'
import type { CheckImpact, CheckKind, HealthCheckFn } from './types'

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'

/**
 * One registered check and everything known about it: its resolved options, its latest observation, its effective
 * status (the one reports show, which thresholds may hold back), since when it has had it, and, for a background
 * check, its schedule. Runs of the check (on demand or by the scheduler) write it through `record()`; reports, logs,
 * events and the per-check routes only read it.
 */
export class CheckState {
  readonly name: string
  readonly kind: CheckKind
  readonly fn: HealthCheckFn
  readonly timeout: number
  readonly critical: boolean
  /** Background interval in ms, or null for a check that runs when asked. */
  readonly interval: number | null
  readonly staleAfter: number
  readonly failureThreshold: number
  readonly successThreshold: number
  readonly maxInterval: number | null
  /** Whether taking this instance out of rotation can help when the check fails (`fleet`: it cannot). */
  readonly impact: CheckImpact
  /** With impact `fleet`: ms of failing after which the check counts as critical again, or null. */
  readonly fleetGrace: number | null
  /** Precomputed so that a run does not build the text on every timeout. */
  readonly timeoutMessage: string
  /**
   * Whether entries carry `since`. Only checks that use thresholds or an interval do: the answer for a plain check
   * stays what it always was.
   */
  readonly #tracksSince: boolean
  /** An on-demand check without thresholds: recording it is an assignment. */
  readonly #plain: boolean

  /** The entry reports show; undefined before the first observation. */
  entry: CheckResult | undefined
  /** Status of the latest observation, null before the first. */
  observed: CheckStatus | null = null
  /** The status reports show, null before the first observation. */
  effective: CheckStatus | null = null
  /** When the effective status began, in seconds since the epoch. */
  since = 0
  /** performance.now() when the latest observation was recorded. */
  recordedAt = 0
  // Consecutive observations on the other side of pass/fail from the effective status.
  #streak = 0

  // Background checks: the run in flight, the delay between ticks (longer while backing off), the last tick and the
  // timer of the next one.
  running: Promise<void> | undefined
  delay: number
  lastTick = 0
  timer: NodeJS.Timeout | undefined
  /** The selection of this check alone, made on first use by its per-check route. */
  selection: Selection | undefined

  constructor (kind: CheckKind, name: string, fn: HealthCheckFn, options: NormalisedCheckOptions) {
    this.kind = kind
    this.name = name
    this.fn = fn
    this.timeout = options.timeout
    this.critical = options.critical
    this.interval = options.interval
    this.staleAfter = options.staleAfter
    this.failureThreshold = options.failureThreshold
    this.successThreshold = options.successThreshold
    this.maxInterval = options.maxInterval
    this.impact = options.impact
    this.fleetGrace = options.fleetGrace
    this.timeoutMessage = `timed out after ${options.timeout} ms`
    this.delay = options.interval ?? 0
    // A fleet check's grace counts from `since`; its entries carry `impact`, so the plain answer is not changed.
    this.#tracksSince = options.interval !== null || options.failureThreshold > 1 || options.successThreshold > 1 || options.impact === 'fleet'
    this.#plain = !this.#tracksSince
  }

  /**
   * Records one observation (one run, however many requests shared it) and returns the effective status it replaced
   * when that changed, or `undefined`. The first observation sets the effective status directly; after that it leaves
   * the passing side only after `failureThreshold` failing observations in a row, and comes back after
   * `successThreshold` passing ones. Within a side (pass/warn, fail/error) it follows at once.
   */
  record (observation: CheckResult): CheckStatus | null | undefined {
    const previous = this.effective
    const status = observation.status
    this.observed = status
    if (this.#plain) {
      // No thresholds, no `since`: the effective status is the observed one and the entry is the observation.
      this.effective = status
      this.entry = observation
      return status === previous ? undefined : previous
    }
    this.recordedAt = performance.now()
    let next = status
    if (previous !== null && passing(previous) !== passing(status)) {
      this.#streak++
      if (this.#streak < (passing(status) ? this.successThreshold : this.failureThreshold)) next = previous
    }
    if (next !== previous) {
      this.#streak = 0
      this.effective = next
      this.since = observation.timestamp
    } else if (next === status) {
      this.#streak = 0
    }
    this.entry = this.#entry(observation)
    return next === previous ? undefined : previous
  }

  #entry (observation: CheckResult): CheckResult {
    const effective = this.effective as CheckStatus
    const since = this.#tracksSince && effective !== 'pass'
    if (effective === observation.status && !since && this.impact === 'instance') return observation
    const entry: CheckResult = { ...observation, status: effective }
    if (effective !== observation.status) entry.observed = observation.status
    if (since) entry.since = this.since
    if (this.impact === 'fleet') entry.impact = 'fleet'
    return entry
  }

  /**
   * The entry of a background check as of now: its latest result, or an `error` entry once that result is older
   * than `staleAfter` (the scheduler stopped: a blocked event loop, a bug), which a background cache would hide.
   */
  current (now: number): CheckResult {
    const entry = this.entry as CheckResult
    const age = now - this.recordedAt
    if (age <= this.staleAfter) return entry
    const stale: CheckResult = {
      status: 'error',
      error: `stale: last result ${(age / 1000).toFixed(1)} s old`,
      timestamp: entry.timestamp,
      since: Math.round((entry.timestamp * 1000 + this.staleAfter)) / 1000,
      duration: entry.duration
    }
    if (!this.critical) stale.critical = false
    if (this.impact === 'fleet') stale.impact = 'fleet'
    return stale
  }
}
