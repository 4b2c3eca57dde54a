import { performance } from 'node:perf_hooks'
import type { NormalisedCheckOptions } from '../options'
import type { CheckResult, CheckStatus } from '../formats/schema'
import type { CheckImpact, CheckKind, HealthCheckFn } from '../types'

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'

/**
 * One registered check and everything known about it: its resolved options, the groups it belongs to, its latest
 * observation, its effective status (the one reports show, which thresholds may hold back), since when it has had it,
 * its run in flight and cached result, and, for a background check, its schedule. Runs of the check (on demand, by
 * the scheduler, for any group) write it through `record()`; groups, logs, events and routes only read it.
 */
export class CheckState {
  readonly name: string
  readonly fn: HealthCheckFn
  /** The options as given, normalised: a second registration of the same function must match them to share this state. */
  readonly options: NormalisedCheckOptions
  /** Every group the check is in, built-in (`health`, `ready`, `startup`) and custom, in the order it joined them. */
  readonly groups: string[] = []
  /** Names of the checks this one needs, as given; resolved into `dependencies` when the app is ready. */
  readonly dependsOn: readonly string[]
  /** The checks this one needs, or null when it needs none (the common case, tested first on every evaluation). */
  dependencies: CheckState[] | null = null
  readonly timeout: number
  readonly critical: boolean
  /** Background interval in ms, or null for a check that runs when asked. */
  readonly interval: number | null
  /** `staleAfter` as set, or null to measure staleness against the current delay (back-off included). */
  readonly #staleAfter: number | null
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

  /** The entry of the latest evaluation when a dependency was not passing: the check was not called. */
  skipped: CheckResult | undefined
  /** An on-demand run in progress, shared by every evaluation that asks meanwhile (single-flight). */
  inFlight: Promise<unknown> | undefined
  /** performance.now() until which the latest entry answers without a run (`cacheTtl`); 0 without a cache. */
  cachedUntil = 0
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
  running: Promise<unknown> | undefined
  /** A startup check after the latch closed: never scheduled again. */
  retired = false
  delay: number
  lastTick = 0
  timer: NodeJS.Timeout | undefined

  constructor (name: string, fn: HealthCheckFn, options: NormalisedCheckOptions) {
    this.name = name
    this.fn = fn
    this.options = options
    this.dependsOn = options.dependsOn
    this.timeout = options.timeout
    this.critical = options.critical
    this.interval = options.interval
    this.#staleAfter = options.staleAfter
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

  /** The built-in group the check joined first, for logs and events; `custom` for a check in custom groups only. */
  get kind (): CheckKind | 'custom' {
    for (const group of this.groups) if (group === 'health' || group === 'ready' || group === 'startup') return group
    return 'custom'
  }

  /** The status an observer of this check sees: `skipped` while a dependency keeps it from running, else effective. */
  get status (): CheckStatus | null {
    return this.skipped === undefined ? this.effective : 'skipped'
  }

  /**
   * How old a background result may be before it reads stale: `staleAfter` when set, else two of the current delays
   * (which back-off lengthens) plus the time limit.
   */
  get staleAfter (): number {
    return this.#staleAfter ?? Math.min(2 ** 31 - 1, 2 * this.delay + this.timeout)
  }

  /** performance.now() of the next background run, or null for a check that runs when asked (or is not scheduled). */
  nextRunAt (): number | null {
    return this.timer === undefined ? null : this.lastTick + this.delay
  }

  /**
   * The entry of a background check as of now: its latest result, or an `error` entry once that result is older
   * than `staleAfter` (the scheduler stopped: a blocked event loop, a bug), which a background cache would hide.
   */
  current (now: number): CheckResult {
    const entry = this.entry as CheckResult
    const age = now - this.recordedAt
    const staleAfter = this.staleAfter
    if (age <= staleAfter) return entry
    const stale: CheckResult = {
      status: 'error',
      error: `stale: last result ${(age / 1000).toFixed(1)} s old`,
      timestamp: entry.timestamp,
      since: Math.round((entry.timestamp * 1000 + staleAfter)) / 1000,
      duration: entry.duration
    }
    if (!this.critical) stale.critical = false
    if (this.impact === 'fleet') stale.impact = 'fleet'
    return stale
  }
}
