import { performance } from 'node:perf_hooks'
import { CheckState } from './check-state'
import { resolveDependencies, skippedBy } from './dependencies'
import { PendingChecks } from './pending-checks'
import { runCheck, type RunObserver } from './run-check'
import { FST_HEALTH_INVALID_CHECK, FST_HEALTH_INVALID_CHECK_NAME } from '../errors'
import type { NormalisedCheckOptions } from '../options'
import type { CheckResult, CheckStatus } from '../formats/schema'
import type { HealthCheckFn, StatusChangeEvent } from '../types'

/** Hears each change of a check's effective status, once per check however many groups include it. */
export type ChangeListener = (event: StatusChangeEvent, state: CheckState) => void
/** Hears every recorded run of a check (on demand or in the background), skipped evaluations included. */
export type ObservationListener = (state: CheckState, entry: CheckResult) => void

export interface RegistryOptions {
  cacheTtl: number
  /** Called after each background observation of a check, on a later microtask (never inside a run). */
  onBackgroundResult?: (state: CheckState) => void
}

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'
const NONE: readonly CheckState[] = []

function sameOptions (a: NormalisedCheckOptions, b: NormalisedCheckOptions): boolean {
  return a.timeout === b.timeout && a.critical === b.critical && a.interval === b.interval &&
    a.staleAfter === b.staleAfter && a.failureThreshold === b.failureThreshold &&
    a.successThreshold === b.successThreshold && a.maxInterval === b.maxInterval &&
    a.impact === b.impact && a.fleetGrace === b.fleetGrace &&
    a.dependsOn.length === b.dependsOn.length && a.dependsOn.every((name, i) => b.dependsOn[i] === name)
}

/**
 * Every check of the app, once: a function registered under one name with the same options in several groups is one
 * check, with one run in flight, one cached result, one background schedule and one status. The registry is the
 * only writer of check states; groups, routes, logs and integrations read them.
 *
 * An evaluation of a check (`evaluate`) reads its cached result, joins its run in flight, reads its latest
 * background result, or runs it now, after its dependencies.
 */
export class Registry implements RunObserver {
  readonly pending = new PendingChecks()
  readonly #cacheTtl: number
  readonly #onBackgroundResult: ((state: CheckState) => void) | undefined
  // Append-only, so that registering does not copy and a reader's loop is never disturbed.
  readonly #states: CheckState[] = []
  readonly #byName = new Map<string, CheckState[]>()
  readonly #admitted = new Set<CheckState>()
  readonly #changeListeners: ChangeListener[] = []
  readonly #observationListeners: ObservationListener[] = []
  #resolved = false
  #scheduling = false
  #closing = false

  constructor (options: RegistryOptions) {
    this.#cacheTtl = options.cacheTtl
    this.#onBackgroundResult = options.onBackgroundResult
  }

  /** Every check, in registration order. */
  get states (): readonly CheckState[] {
    return this.#states
  }

  /** The checks registered under `name`: none, one, or several (different functions in different groups). */
  byName (name: string): readonly CheckState[] {
    return this.#byName.get(name) ?? NONE
  }

  onChange (listener: ChangeListener): void {
    this.#changeListeners.push(listener)
  }

  onObservation (listener: ObservationListener): void {
    this.#observationListeners.push(listener)
  }

  /**
   * The state for `fn` under `name`: the existing one when the same function was registered under that name with
   * the same options (it joins one more group), else a new one. Joining the group is the caller's part.
   */
  register (method: string, name: unknown, fn: unknown, options: (fn: HealthCheckFn, name: string) => NormalisedCheckOptions): CheckState {
    if (typeof name !== 'string' || name === '') {
      throw new FST_HEALTH_INVALID_CHECK_NAME(`${method}() needs a non-empty string as the check name, received ${name === '' ? 'an empty string' : typeof name}`)
    }
    if (typeof fn !== 'function') {
      throw new FST_HEALTH_INVALID_CHECK(`${method}(${JSON.stringify(name)}) needs a function as the check, received ${fn === null ? 'null' : typeof fn}`)
    }
    const normalised = options(fn as HealthCheckFn, name)
    const named = this.#byName.get(name)
    const same = named?.find(state => state.fn === fn && sameOptions(state.options, normalised))
    return same ?? new CheckState(name, fn as HealthCheckFn, normalised)
  }

  /** Takes a new state in (after its first group accepted it) and, once the app is ready, schedules it. */
  admit (state: CheckState): void {
    if (this.#admitted.has(state)) return
    this.#admitted.add(state)
    const named = this.#byName.get(state.name)
    if (named === undefined) this.#byName.set(state.name, [state])
    else named.push(state)
    this.#states.push(state)
    // Registered after ready: its dependencies must exist already.
    if (this.#resolved) resolveDependencies(this, [state])
    if (state.interval !== null && this.#scheduling) this.#tick(state)
  }

  /** Resolves every `dependsOn` into states; throws for unknown or ambiguous names and for cycles. */
  resolve (): void {
    resolveDependencies(this, this.#states)
    this.#resolved = true
  }

  /**
   * One evaluation of a check: `undefined` when its entry is ready in its state now, else a promise (that never
   * rejects) of the moment it is. A run in flight is joined, a fresh cached result read, a background check read.
   */
  evaluate (state: CheckState): Promise<unknown> | undefined {
    if (state.dependencies !== null) return this.#evaluateDependant(state)
    return this.#evaluateOwn(state)
  }

  #evaluateOwn (state: CheckState): Promise<unknown> | undefined {
    if (state.interval === null) {
      if (state.inFlight !== undefined) return state.inFlight
      if (state.cachedUntil !== 0 && performance.now() < state.cachedUntil) return undefined
      // A synchronous run has settled (and cleared inFlight) by the time this assigns undefined.
      return (state.inFlight = runCheck(state, this, false))
    }
    if (state.entry !== undefined || state.skipped !== undefined) return undefined
    // Never a made-up status: before its first result, a background check is waited for.
    if (state.running === undefined) this.#runInBackground(state)
    if (state.entry !== undefined || state.skipped !== undefined) return undefined
    if (state.running === undefined) {
      // Closing: no background run starts any more, so this evaluation runs the check itself.
      return (state.inFlight = runCheck(state, this, false))
    }
    return this.pending.waitOn(state.running)
  }

  /** A check with dependencies: their evaluations first, then the check itself unless one of them is not passing. */
  #evaluateDependant (state: CheckState): Promise<unknown> | undefined {
    if (state.inFlight !== undefined) return state.inFlight
    if (state.interval !== null) return this.#evaluateOwn(state)
    if (state.skipped === undefined && state.cachedUntil !== 0 && performance.now() < state.cachedUntil) return undefined
    const waits = this.#evaluateAll(state.dependencies as CheckState[])
    if (waits === undefined) return this.#afterDependencies(state)
    const wait = Promise.allSettled(waits).then(() => {
      state.inFlight = undefined
      return this.#afterDependencies(state)
    })
    state.inFlight = wait
    return wait
  }

  #evaluateAll (states: readonly CheckState[]): Array<Promise<unknown>> | undefined {
    let waits: Array<Promise<unknown>> | undefined
    for (const dependency of states) {
      const wait = this.evaluate(dependency)
      if (wait !== undefined) (waits ??= []).push(wait)
    }
    return waits
  }

  #afterDependencies (state: CheckState): Promise<unknown> | undefined {
    const skipped = skippedBy(state)
    if (skipped !== undefined) {
      state.skipped = skipped
      this.#notifyObservation(state, skipped)
      return undefined
    }
    state.skipped = undefined
    return this.#evaluateOwn(state)
  }

  /** Records a run's entry: called by every run, on demand or in the background, before its waiters hear of it. */
  settled (state: CheckState, entry: CheckResult, background: boolean): void {
    if (background) {
      state.running = undefined
      this.#observeInBackground(state, entry)
      return
    }
    state.inFlight = undefined
    this.#observe(state, entry)
    if (this.#cacheTtl > 0) state.cachedUntil = performance.now() + this.#cacheTtl
  }

  /** Starts the background checks: each runs now, then every `interval` ms. Called when the app is ready. */
  startScheduling (): void {
    this.#scheduling = true
    for (const state of this.#states) if (state.interval !== null) this.#tick(state)
  }

  /** Stops the background runs of these checks for good, letting runs in progress finish (startup checks, once started). */
  retire (states: readonly CheckState[]): void {
    for (const state of states) {
      state.retired = true
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
    this.pending.cancelAll(message)
  }

  /** Records one observation of a check and reports the change of its effective status, if any. */
  #observe (state: CheckState, observation: CheckResult): void {
    const previous = state.record(observation)
    this.#notifyObservation(state, observation)
    if (previous === undefined) return
    const entry = state.entry as CheckResult
    const event: StatusChangeEvent = {
      name: state.name,
      kind: state.kind,
      groups: state.groups,
      previous,
      status: entry.status,
      duration: entry.duration,
      timestamp: entry.timestamp,
      critical: state.critical
    }
    if (entry.error !== undefined) event.error = entry.error
    for (const listener of this.#changeListeners) listener(event, state)
  }

  #notifyObservation (state: CheckState, entry: CheckResult): void {
    for (const listener of this.#observationListeners) listener(state, entry)
  }

  /** One background run of a check, unless one is in flight already: at most one run of a check at a time. */
  #runInBackground (state: CheckState): void {
    if (state.running !== undefined || this.#closing) return
    if (state.dependencies !== null) {
      const waits = this.#evaluateAll(state.dependencies)
      if (waits !== undefined) {
        state.running = Promise.allSettled(waits).then(() => {
          state.running = undefined
          this.#backgroundAfterDependencies(state)
          return state.running
        })
        return
      }
      this.#backgroundAfterDependencies(state)
      return
    }
    state.running = runCheck(state, this, true)
  }

  #backgroundAfterDependencies (state: CheckState): void {
    if (this.#closing) return
    const skipped = skippedBy(state)
    if (skipped === undefined) {
      state.skipped = undefined
      state.running = runCheck(state, this, true)
      return
    }
    // A skip neither counts towards thresholds nor backs off: the dependency's own schedule does.
    state.skipped = skipped
    this.#notifyObservation(state, skipped)
    if (this.#onBackgroundResult !== undefined) queueMicrotask(() => { this.#onBackgroundResult?.(state) })
  }

  #observeInBackground (state: CheckState, observation: CheckResult): void {
    this.#observe(state, observation)
    if (this.#onBackgroundResult !== undefined) {
      const onResult = this.#onBackgroundResult
      queueMicrotask(() => { onResult(state) })
    }
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
    if (state.retired) return
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
