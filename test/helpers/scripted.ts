import type { CheckOutcome } from '../../lib/types'

export type Outcome = boolean | CheckOutcome | 'throw'

/** A check whose next outcome the test sets, and a count of its runs. */
export function scripted (first: Outcome = true): { fn: () => boolean | CheckOutcome, set: (next: Outcome) => void, calls: () => number } {
  let next = first
  let calls = 0
  return {
    fn: () => {
      calls++
      if (next === 'throw') throw new Error('connection refused')
      return next
    },
    set: value => { next = value },
    calls: () => calls
  }
}
