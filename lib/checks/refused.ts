import type { CheckOutcome } from '../types'
import { elapsedMs } from './measure'

/**
 * A refused connection is the network's answer that nothing listens there, the very thing `tcp()` and `http()` watch
 * for, so it is a `fail` with the system's message as its output. Every other error (a name that does not resolve, a
 * reset, a timeout) says the check could not find out, and stays a rejection, reported as `error`.
 */
export function refusedOutcome (err: unknown, start: number): CheckOutcome | null {
  if ((err as NodeJS.ErrnoException | null)?.code !== 'ECONNREFUSED') return null
  return { status: 'fail', output: (err as Error).message, observedValue: elapsedMs(start), observedUnit: 'ms' }
}
