import { performance } from 'node:perf_hooks'
import { adopt, NOT_THENABLE, THEN_THREW, thenError, thenOf } from '../callbacks'
import type { CheckState } from './check-state'
import { clip, nonBooleanMessage, thrownMessage } from '../error-message'
import type { PendingChecks } from './pending-checks'
import type { CheckResult, CheckStatus } from '../formats/schema'
import type { HealthCheckContext } from '../types'

/** Where runs report: the pending set that times them out, and the registry that records each result. */
export interface RunObserver {
  readonly pending: PendingChecks
  /** Called once per run with its entry, before anyone waiting on the run hears of it. */
  settled (check: CheckState, entry: CheckResult, background: boolean): void
}

/**
 * The context handed to a check. The AbortController behind `signal` is created only when the check reads it:
 * most synchronous checks never do, and skipping it keeps the common probe free of that allocation.
 */
class CheckContext implements HealthCheckContext {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  get signal (): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      // A check that first reads its signal after its time is up (say, after an await) must still see it aborted.
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  // Static, so that the object a check receives has `signal` and nothing else it could call.
  static abort (context: CheckContext, reason: unknown): void {
    if (context.#controller !== undefined) {
      context.#controller.abort(reason)
    } else {
      context.#aborted = true
      context.#reason = reason
    }
  }
}

const nowSeconds = (): number => Date.now() / 1000

// Rounded to microseconds: more digits would be noise, and shorter numbers serialise faster.
const elapsed = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000

function result (check: CheckState, status: CheckStatus, error: string | undefined, start: number): CheckResult {
  const entry: CheckResult = { status, timestamp: nowSeconds(), duration: elapsed(start) }
  if (error !== undefined) entry.error = error
  if (!check.critical) entry.critical = false
  return entry
}

const OUTCOME_STATUSES = new Set(['pass', 'warn', 'fail'])
const OBSERVED_TYPES = new Set(['number', 'string', 'boolean'])

/** A field of a returned object; a throwing getter or proxy trap makes the check's result an error. */
function field (value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key]
}

/**
 * The entry for what a check returned or resolved: `true`, `false`, or an object `{ status, output?, observedValue?,
 * observedUnit? }`. Anything else is an `error` entry that says what was wrong. Never throws: a proxy may be revoked
 * between being thenable-tested and classified (Array.isArray throws then), or trap any read.
 */
function fromValue (check: CheckState, value: unknown, start: number): CheckResult {
  try {
    return classify(check, value, start)
  } catch (err) {
    return result(check, 'error', thrownMessage(err), start)
  }
}

function classify (check: CheckState, value: unknown, start: number): CheckResult {
  if (value === true) return result(check, 'pass', undefined, start)
  if (value === false) return result(check, 'fail', undefined, start)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return result(check, 'error', nonBooleanMessage(value), start)
  const status = field(value, 'status')
  const output = field(value, 'output')
  const observedValue = field(value, 'observedValue')
  const observedUnit = field(value, 'observedUnit')
  let problem: string | undefined
  if (typeof status !== 'string' || !OUTCOME_STATUSES.has(status)) problem = 'a "status" of "pass", "warn" or "fail"'
  else if (output !== undefined && typeof output !== 'string') problem = 'a string "output"'
  // NaN and ±Infinity have no JSON form: the response serialiser would fail the whole probe with a 500.
  else if (observedValue !== undefined && (!OBSERVED_TYPES.has(typeof observedValue) || (typeof observedValue === 'number' && !Number.isFinite(observedValue)))) problem = 'a finite number, string or boolean "observedValue"'
  else if (observedUnit !== undefined && typeof observedUnit !== 'string') problem = 'a string "observedUnit"'
  if (problem !== undefined) return result(check, 'error', `check returned an object without ${problem}; expected a boolean or { status, output?, observedValue?, observedUnit? }`, start)
  const text = output === undefined ? undefined : clip(output as string)
  const entry = result(check, status as CheckStatus, status === 'fail' ? text : undefined, start)
  if (status !== 'fail' && text !== undefined) entry.output = text
  if (observedValue !== undefined) entry.observedValue = typeof observedValue === 'string' ? clip(observedValue) : observedValue as number | boolean
  if (observedUnit !== undefined) entry.observedUnit = clip(observedUnit as string)
  return entry
}

/**
 * One run of an asynchronous check: settles with the check's outcome, or with a timeout error when its time is
 * up, whichever comes first. Later settlements of the check are ignored, and since both handlers are attached to the
 * check's promise, a late rejection is never unhandled.
 */
export class PendingCheck {
  readonly promise: Promise<void>
  #resolve!: () => void
  #settled = false
  /** performance.now() value past which the check has timed out. */
  readonly deadline: number

  constructor (
    readonly check: CheckState,
    readonly context: CheckContext,
    readonly start: number,
    readonly observer: RunObserver,
    /** A background run: its timeout never holds the process open. */
    readonly background: boolean,
    value: unknown,
    then: Parameters<typeof adopt>[1]
  ) {
    this.promise = new Promise<void>(resolve => { this.#resolve = resolve })
    this.deadline = start + check.timeout
    // The pending set's timer times the check out, and keeps the process alive while a probe waits on it.
    observer.pending.add(this)
    adopt(value, then, v => { this.#settle(fromValue(this.check, v, this.start)) }, e => { this.#error(thrownMessage(e)) })
  }

  /** Ends the run with a timeout error and aborts the check's signal; called by the registry's timer. */
  timeOut (): void {
    const message = this.check.timeoutMessage
    this.#error(message)
    CheckContext.abort(this.context, new DOMException(message, 'TimeoutError'))
  }

  /** Ends the run at once with an error; used when the app closes (only unsettled runs are in the registry). */
  cancel (message: string): void {
    this.#error(message)
    CheckContext.abort(this.context, new DOMException(message, 'AbortError'))
  }

  #error (message: string): void {
    if (!this.#settled) this.#settle(result(this.check, 'error', message, this.start))
  }

  #settle (entry: CheckResult): void {
    if (this.#settled) return
    this.#settled = true
    this.observer.pending.delete(this)
    // Recorded first: whoever the promise wakes reads the check's state, not the value.
    this.observer.settled(this.check, entry, this.background)
    this.#resolve()
  }
}

function done (observer: RunObserver, check: CheckState, entry: CheckResult, background: boolean): undefined {
  observer.settled(check, entry, background)
  return undefined
}

/**
 * Starts one run of a check; its entry goes to `observer.settled()`. A check that answers synchronously is recorded
 * at once and `undefined` returned, with no promise, timer or AbortController involved; anything thenable becomes a
 * PendingCheck, whose promise fulfils (never rejects) once the entry is recorded.
 */
export function runCheck (check: CheckState, observer: RunObserver, background: boolean): Promise<void> | undefined {
  const start = performance.now()
  const context = new CheckContext()
  let value: unknown
  try {
    value = check.fn(context)
  } catch (err) {
    return done(observer, check, result(check, 'error', thrownMessage(err), start), background)
  }
  if (value === true) return done(observer, check, result(check, 'pass', undefined, start), background)
  if (value === false) return done(observer, check, result(check, 'fail', undefined, start), background)
  const then = thenOf(value)
  if (then === NOT_THENABLE) return done(observer, check, fromValue(check, value, start), background)
  if (then === THEN_THREW) return done(observer, check, result(check, 'error', thrownMessage(thenError), start), background)
  return new PendingCheck(check, context, start, observer, background, value, then).promise
}
