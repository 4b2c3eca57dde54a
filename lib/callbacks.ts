import type { FastifyBaseLogger } from 'fastify'
import { thrownMessage } from './error-message'

/**
 * The one containment for user code: checks, `onStatusChange`, `exposeDetails` and a check's `close()` all go through
 * these functions. User code may throw synchronously, reject, never settle, call both of a thenable's callbacks, or
 * throw values whose getters throw; none of that may crash the process, hang a probe or a shutdown, leave a timer
 * behind or surface as an unhandled rejection.
 *
 * Checks are on the hot path, so they use the pieces (`thenOf`, `adopt`) with the check set's shared timer; the rare
 * callbacks use `contain`, which adds a timer of its own.
 */

/** Returned by `thenOf` for a value that is not thenable. */
export const NOT_THENABLE = Symbol('not thenable')

/** Returned by `thenOf` when reading `then` threw; the thrown value is in `thenError`. */
export const THEN_THREW = Symbol('then threw')

/** What reading `then` threw, when `thenOf` returned THEN_THREW. Read it at once: the next call replaces it. */
export let thenError: unknown

type Then = (onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void) => unknown

/** A value's `then` method, read once (a getter may answer differently each time, or throw). */
export function thenOf (value: unknown): Then | typeof NOT_THENABLE | typeof THEN_THREW {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return NOT_THENABLE
  let then: unknown
  try {
    then = (value as { then?: unknown }).then
  } catch (err) {
    thenError = err
    return THEN_THREW
  }
  return typeof then === 'function' ? then as Then : NOT_THENABLE
}

// `await` adopts thenables without limit; a thenable that fulfils with itself would then loop for ever.
const MAX_NESTING = 32

/**
 * Follows a thenable the way `await` does, nested thenables included, and calls exactly one of the two callbacks,
 * at most once, however the thenable behaves. Both handlers are attached to it, so a rejection is never unhandled.
 */
export function adopt (value: unknown, then: Then, onValue: (value: unknown) => void, onError: (error: unknown) => void, depth = 0): void {
  let done = false
  try {
    then.call(value, (result: unknown) => {
      if (done) return
      done = true
      const next = thenOf(result)
      if (next === NOT_THENABLE) onValue(result)
      else if (next === THEN_THREW) onError(thenError)
      else if (depth >= MAX_NESTING) onError(new Error(`thenables nested more than ${MAX_NESTING} deep`))
      else adopt(result, next, onValue, onError, depth + 1)
    }, (reason: unknown) => {
      if (done) return
      done = true
      onError(reason)
    })
  } catch (err) {
    // A then() that throws after calling back has already been answered.
    if (!done) {
      done = true
      onError(err)
    }
  }
}

/** How a contained callback ended. */
export type Settlement =
  | { readonly outcome: 'value', readonly value: unknown }
  | { readonly outcome: 'threw', readonly error: unknown }
  | { readonly outcome: 'timeout' }

// setTimeout treats a longer delay as 1 ms.
const MAX_TIMER_DELAY = 2 ** 31 - 1
const TIMED_OUT: Settlement = { outcome: 'timeout' }

/**
 * Calls `fn(arg)` and settles with what it returned (a thenable's value once it fulfils), what it threw or rejected
 * with, or a timeout after `timeout` ms; never rejects. The timer is cleared when the callback settles; a late
 * settlement is ignored. Until then it holds the process open, as a pending check does: a script awaiting a probe or
 * `app.close()` gets its answer when the bound ends, instead of the process ending with the answer pending.
 */
export function contain<A> (fn: (arg: A) => unknown, arg: A, timeout: number): Settlement | Promise<Settlement> {
  let value: unknown
  try {
    value = fn(arg)
  } catch (error) {
    return { outcome: 'threw', error }
  }
  const then = thenOf(value)
  if (then === NOT_THENABLE) return { outcome: 'value', value }
  if (then === THEN_THREW) return { outcome: 'threw', error: thenError }
  return new Promise<Settlement>(resolve => {
    const timer = setTimeout(resolve, Math.min(timeout, MAX_TIMER_DELAY), TIMED_OUT)
    adopt(value, then, result => {
      clearTimeout(timer)
      resolve({ outcome: 'value', value: result })
    }, error => {
      clearTimeout(timer)
      resolve({ outcome: 'threw', error })
    })
  })
}

type Level = 'error' | 'warn'

/**
 * Logs what a user callback threw. Pino's error serialiser reads `message`, `stack` and `cause`, which a hostile value
 * may make throw: then the value goes in as the safe text `thrownMessage` makes of it. A logger that throws even so
 * is given up on; a log line is never worth a failed probe.
 */
export function logThrown (log: FastifyBaseLogger, level: Level, error: unknown, message: string): void {
  try {
    log[level]({ err: error }, message)
  } catch {
    try {
      log[level]({ err: { message: thrownMessage(error) } }, message)
    } catch {}
  }
}
