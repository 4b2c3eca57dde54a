import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { Group, Report, RunOutcome, Selection } from './group'
import type { Groups } from './groups'
import type { Registry } from '../registry/registry'
import { clip } from '../error-message'
import { FST_HEALTH_CLOSED_BEFORE_STARTED } from '../errors'
import { nonNegativeMs, DEFAULT_SHUTDOWN_DELAY } from '../options'
import type { CheckResult } from '../formats/schema'
import type { StatusLog } from '../status-log'
import type { CheckKind, ShutdownOptions } from '../types'

const MAX_DELAY = 2 ** 31 - 1

interface Vote {
  readonly reason: string
}

export interface AvailabilityOptions {
  app: FastifyInstance
  groups: Groups
  registry: Registry
  statusLog: StatusLog
  escalateAfter: number | null
  shutdownDelay: number | undefined
}

const entry = (error: string, timestamp: number): CheckResult => ({ status: 'fail', error, timestamp, duration: 0 })

/** The reason of a `setReady` / `setLive` vote, under the rule of every `error` text: clipped, no stack frames. */
function voteReason (reason: unknown, fallback: string): string {
  const text = typeof reason === 'string' ? clip(reason) : ''
  return text === '' ? fallback : text
}

/**
 * What the app itself says about its availability, on top of its checks: the startup latch, its own readiness and
 * liveness votes (`app.health.setReady` / `setLive`), readiness failing for too long (escalated to liveness), and the
 * shutdown sequence. Each of these either replaces a report (shutting down, started) or adds an entry to it; reports
 * with nothing to add pass through untouched.
 */
export class Availability {
  readonly #app: FastifyInstance
  readonly #groups: Groups
  readonly #registry: Registry
  readonly #statusLog: StatusLog
  readonly #escalateAfter: number | null
  readonly #shutdownDelay: number
  #started = false
  #startedChecks: Record<string, CheckResult> = {}
  readonly #whenStarted: Promise<void>
  #markStarted!: () => void
  #neverStarted!: (error: Error) => void
  #notReady: Vote | null = null
  #notLive: Vote | null = null
  #escalated = false
  // Whether any overlay is in force; the common answer reads this one flag.
  #quiet = true
  #shuttingDown = false
  #shutdown: Promise<void> | undefined
  #closing = false
  #endDelay: (() => void) | undefined

  constructor (options: AvailabilityOptions) {
    this.#app = options.app
    this.#groups = options.groups
    this.#registry = options.registry
    this.#statusLog = options.statusLog
    this.#escalateAfter = options.escalateAfter
    this.#shutdownDelay = options.shutdownDelay ?? DEFAULT_SHUTDOWN_DELAY
    this.#whenStarted = new Promise((resolve, reject) => {
      this.#markStarted = resolve
      this.#neverStarted = reject
    })
    // Rejected when the app closes before it started, whether or not anyone waits: never an unhandled rejection.
    this.#whenStarted.catch(() => {})
    this.setReady = this.setReady.bind(this)
    this.setLive = this.setLive.bind(this)
    this.whenStarted = this.whenStarted.bind(this)
    this.shutdown = this.shutdown.bind(this)
    this.#update()
  }

  /**
   * The outcome for a request to the route of `group`. A per-check route (a selection of one check) answers for its
   * check alone, and a custom group for its checks alone; the built-in groups carry whatever the app's own state adds.
   */
  answer (group: Group, selection?: Selection): RunOutcome | Promise<RunOutcome> {
    const kind = group.kind
    // Before the quiet path: once started, the startup route and its per-check routes answer from the latch.
    if (kind === 'startup' && this.#started) return this.#startedOutcome(group, selection)
    if (this.#quiet || kind === null || selection?.single != null) return group.get(selection)
    if (kind === 'ready' && this.#shuttingDown) return this.#shutdownOutcome(group)
    if (kind === 'ready' && !this.#started) this.#driveStartup()
    const outcome = group.get(selection)
    return outcome instanceof Promise ? outcome.then(o => this.#overlay(kind, o)) : this.#overlay(kind, outcome)
  }

  /** The app is ready: with no startup checks, that is what started means; background checks begin. */
  ready (): void {
    if (this.#groups.startup.states.length === 0) this.#latch({})
    else this.#driveStartup()
  }

  /**
   * A background startup check has a new result: while not started, see whether all of them pass now. Not once
   * closing began (the runs cancelled then would run the on-demand startup checks after close).
   */
  backgroundStartupResult (): void {
    if (!this.#started && !this.#shuttingDown) this.#driveStartup()
  }

  setReady (ready: boolean, reason?: string): void {
    const vote = ready ? null : { reason: voteReason(reason, 'marked not ready') }
    if (this.#changed('ready', this.#notReady, vote)) this.#notReady = vote
    this.#update()
  }

  setLive (live: boolean, reason?: string): void {
    const vote = live ? null : { reason: voteReason(reason, 'marked not live') }
    if (this.#changed('health', this.#notLive, vote)) this.#notLive = vote
    this.#update()
  }

  async whenStarted (): Promise<void> {
    await this.#whenStarted
  }

  // Not async: later calls return the very promise of the first one.
  shutdown (options?: ShutdownOptions): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown
    let delay = this.#shutdownDelay
    if (options?.delay !== undefined) {
      try {
        delay = nonNegativeMs('app.health.shutdown() option "delay"', options.delay)
      } catch (err) {
        return Promise.reject(err)
      }
      if (delay > MAX_DELAY) delay = MAX_DELAY
    }
    // Closing or closed already: nothing is routed here any more, so there is nothing to wait for.
    if (this.#closing) delay = 0
    this.beginShutdown()
    this.#app.log.info({ delay }, `fastify-health: shutting down, readiness is now not_ready; closing in ${delay} ms`)
    this.#shutdown = new Promise<void>(resolve => {
      if (this.#closing) {
        resolve()
        return
      }
      const timer = setTimeout(resolve, delay)
      this.#endDelay = () => {
        clearTimeout(timer)
        resolve()
      }
    }).then(async () => { await this.#app.close() })
    return this.#shutdown
  }

  /** Ends the delay of a shutdown in progress at once (a second signal, or the app closing for another reason). */
  skipDelay (): void {
    this.#endDelay?.()
  }

  /** The app is closing, for whatever reason: a start-up that has not finished never will. */
  closing (): void {
    this.#closing = true
    if (!this.#started) this.#neverStarted(new FST_HEALTH_CLOSED_BEFORE_STARTED('the app closed before start-up finished'))
  }

  /** From now on readiness answers `not_ready` with a `shutdown` entry, without running its checks. */
  beginShutdown (): void {
    const first = !this.#shuttingDown
    this.#shuttingDown = true
    this.#update()
    if (first) this.#statusLog.shuttingDown()
  }

  /**
   * What the app's own state says of the route of a built-in group now, without running a check: `'fail'` or
   * `'pass'` when it decides the answer (shutting down, starting, a vote, escalation, the startup latch), null when
   * the checks do. Custom groups (kind null) have no overlays.
   */
  verdict (kind: CheckKind | null): 'pass' | 'fail' | null {
    if (kind === 'startup') return this.#started ? 'pass' : null
    if (kind === 'ready') return this.#shuttingDown || !this.#started || this.#notReady !== null ? 'fail' : null
    return kind === 'health' && (this.#notLive !== null || this.#escalated) ? 'fail' : null
  }

  /** Reports a change of the app's own vote; false when the vote is the same as before. */
  #changed (kind: CheckKind, before: Vote | null, after: Vote | null): boolean {
    if ((before === null) === (after === null) && before?.reason === after?.reason) return false
    const timestamp = Date.now() / 1000
    this.#statusLog.changed({
      name: 'availability',
      kind,
      groups: [kind],
      previous: before === null ? 'pass' : 'fail',
      status: after === null ? 'pass' : 'fail',
      ...(after === null ? {} : { error: after.reason }),
      duration: 0,
      timestamp,
      critical: true
    })
    return true
  }

  // Precomputes whether any overlay may apply, so that the common answer costs one flag read.
  #update (): void {
    this.#quiet = this.#started && !this.#shuttingDown && this.#notReady === null && this.#notLive === null && this.#escalateAfter === null
  }

  #driveStartup (): void {
    const outcome = this.#groups.startup.get()
    if (outcome instanceof Promise) outcome.then(o => { this.#afterStartupRun(o) }, /* c8 ignore next */ () => {})
    else this.#afterStartupRun(outcome)
  }

  /** A run of all the startup checks that passed closes the latch (a run with exclusions proves nothing). */
  #afterStartupRun (outcome: RunOutcome): void {
    if (outcome.code === 200 && outcome.selection.excluded === null) this.#latch(outcome.report.checks as Record<string, CheckResult>)
  }

  #latch (checks: Record<string, CheckResult>): void {
    if (this.#started) return
    this.#started = true
    this.#startedChecks = checks
    // Started is for the life of the process: the startup checks are not run again, on their interval either (a
    // check that other groups read goes on for them).
    const startup = this.#groups.startup.states
    this.#registry.retire(startup.filter(state => state.groups.every(group => group === 'startup')))
    this.#update()
    // Without startup checks, starting is the app getting ready: nothing to report.
    if (startup.length > 0) this.#statusLog.changed({ name: 'startup', kind: 'startup', groups: ['startup'], previous: 'fail', status: 'pass', duration: 0, timestamp: Date.now() / 1000, critical: true })
    this.#markStarted()
  }

  #overlay (kind: CheckKind, outcome: RunOutcome): RunOutcome {
    if (kind === 'startup') {
      this.#afterStartupRun(outcome)
      return outcome
    }
    const timestamp = outcome.report.timestamp
    const extra: Array<[string, CheckResult]> = []
    if (kind === 'ready') {
      if (!this.#started) extra.push(['startup', entry('starting', timestamp)])
      if (this.#notReady !== null) extra.push(['availability', entry(this.#notReady.reason, timestamp)])
    } else {
      if (this.#notLive !== null) extra.push(['availability', entry(this.#notLive.reason, timestamp)])
      const readiness = this.#escalation(timestamp)
      if (readiness !== undefined) extra.push(['readiness', readiness])
    }
    if (extra.length === 0) return outcome
    const checks: Record<string, CheckResult> = { ...outcome.report.checks }
    for (const [name, value] of extra) checks[name] = value
    return {
      code: 503,
      report: { ...outcome.report, status: outcome.group.words.bad, checks } as Report,
      summary: undefined,
      selection: outcome.selection,
      states: outcome.states,
      group: outcome.group,
      extra: extra.map(([name]) => name)
    }
  }

  #escalation (timestamp: number): CheckResult | undefined {
    const since = this.#groups.ready.failingSince
    const failing = this.#escalateAfter !== null && since !== undefined && !this.#shuttingDown &&
      performance.now() - since > this.#escalateAfter
    if (failing !== this.#escalated) {
      this.#escalated = failing
      this.#statusLog.changed({
        name: 'readiness',
        kind: 'health',
        groups: ['health'],
        previous: failing ? 'pass' : 'fail',
        status: failing ? 'fail' : 'pass',
        duration: 0,
        timestamp,
        critical: true
      })
    }
    if (!failing) return undefined
    const failingFor = performance.now() - (since as number)
    return {
      // Tenths of a second, as in the stale message; `since` in milliseconds, like every other timestamp.
      ...entry(`not ready for ${(failingFor / 1000).toFixed(1)} s`, timestamp),
      since: Math.round(timestamp * 1000 - failingFor) / 1000
    }
  }

  #shutdownOutcome (group: Group): RunOutcome {
    const timestamp = Date.now() / 1000
    return {
      code: 503,
      report: { status: 'not_ready', timestamp, checks: { shutdown: entry('the server is shutting down', timestamp) } },
      summary: undefined,
      selection: group.all,
      states: group.states,
      group,
      extra: ['shutdown']
    }
  }

  #startedOutcome (group: Group, selection: Selection | undefined): RunOutcome | Promise<RunOutcome> {
    let checks = this.#startedChecks
    const single = selection?.single
    const excluded = selection?.excluded
    if (single != null) {
      // A startup check registered after the latch closed has no result in it: it answers for itself.
      if (!Object.hasOwn(checks, single.name)) return group.get(selection)
      checks = { [single.name]: checks[single.name] }
    } else if (excluded != null) {
      checks = { ...checks }
      for (const name of excluded) delete checks[name]
    }
    return {
      code: 200,
      report: { status: 'started', timestamp: Date.now() / 1000, checks },
      summary: undefined,
      selection: selection ?? group.all,
      states: group.states,
      group
    }
  }
}
