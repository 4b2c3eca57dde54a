import { performance } from 'node:perf_hooks'
import { nonBooleanMessage, thrownMessage } from './error-message'
import type { PendingChecks } from './pending-checks'
import type { CheckResult, CheckStatus } from './schema'
import type { HealthCheckContext, HealthCheckFn } from './types'

/** A check as registered: validated and with its options resolved, built once by addHealthCheck / addReadyCheck. */
export interface RegisteredCheck {
  readonly name: string
  readonly fn: HealthCheckFn
  readonly timeout: number
  readonly critical: boolean
  /** Precomputed so that a run does not build the text on every timeout. */
  readonly timeoutMessage: string
  /** Status of its last run (null before the first), to log and report changes only. */
  lastStatus: CheckStatus | null
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

function result (check: RegisteredCheck, status: CheckStatus, error: string | undefined, start: number): CheckResult {
  const entry: CheckResult = { status, timestamp: nowSeconds(), duration: elapsed(start) }
  if (error !== undefined) entry.error = error
  if (!check.critical) entry.critical = false
  return entry
}

/**
 * One run of an asynchronous check: settles with the check's outcome, or with a timeout error when its time is
 * up, whichever comes first. Later settlements of the check are ignored, and since both handlers are attached to the
 * check's promise, a late rejection is never unhandled.
 */
export class PendingCheck {
  readonly promise: Promise<CheckResult>
  #resolve!: (entry: CheckResult) => void
  #settled = false
  /** performance.now() value past which the check has timed out. */
  readonly deadline: number

  constructor (
    readonly check: RegisteredCheck,
    readonly context: CheckContext,
    readonly start: number,
    readonly registry: PendingChecks,
    value: PromiseLike<unknown>,
    then: PromiseLike<unknown>['then']
  ) {
    this.promise = new Promise<CheckResult>(resolve => { this.#resolve = resolve })
    this.deadline = start + check.timeout
    // The registry's timer times the check out, and keeps the process alive while it is pending.
    registry.add(this)
    try {
      then.call(value, (v: unknown) => this.#onValue(v), (e: unknown) => this.#settle('error', thrownMessage(e)))
    } catch (err) {
      // A thenable whose then() throws is a check that threw.
      this.#settle('error', thrownMessage(err))
    }
  }

  /** Ends the run with a timeout error and aborts the check's signal; called by the registry's timer. */
  timeOut (): void {
    const message = this.check.timeoutMessage
    this.#settle('error', message)
    CheckContext.abort(this.context, new DOMException(message, 'TimeoutError'))
  }

  #onValue (value: unknown): void {
    if (value === true) this.#settle('pass', undefined)
    else if (value === false) this.#settle('fail', undefined)
    else this.#settle('error', nonBooleanMessage(value))
  }

  /** Ends the run at once with an error; used when the app closes (only unsettled runs are in the registry). */
  cancel (message: string): void {
    this.#settle('error', message)
    CheckContext.abort(this.context, new DOMException(message, 'AbortError'))
  }

  #settle (status: CheckStatus, error: string | undefined): void {
    if (this.#settled) return
    this.#settled = true
    this.registry.delete(this)
    this.#resolve(result(this.check, status, error, this.start))
  }
}

/**
 * Starts one check. A check that answers synchronously gets its entry back at once, with no promise, timer or
 * AbortController involved; anything thenable becomes a PendingCheck.
 */
export function runCheck (check: RegisteredCheck, registry: PendingChecks): CheckResult | Promise<CheckResult> {
  const start = performance.now()
  const context = new CheckContext()
  let value: unknown
  try {
    value = check.fn(context)
  } catch (err) {
    return result(check, 'error', thrownMessage(err), start)
  }
  if (value === true) return result(check, 'pass', undefined, start)
  if (value === false) return result(check, 'fail', undefined, start)
  let then: unknown
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    try {
      then = (value as { then?: unknown }).then
    } catch (err) {
      return result(check, 'error', thrownMessage(err), start)
    }
  }
  if (typeof then !== 'function') return result(check, 'error', nonBooleanMessage(value), start)
  return new PendingCheck(check, context, start, registry, value as PromiseLike<unknown>, then as PromiseLike<unknown>['then']).promise
}
