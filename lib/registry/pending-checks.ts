import { performance } from 'node:perf_hooks'
import type { PendingCheck } from './run-check'

// setTimeout treats a longer delay as 1 ms (and emits a TimeoutOverflowWarning), which would time a check out at once.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * The asynchronous checks of one kind that have not settled yet, and the one timer that times them out.
 *
 * A timer per pending check was the largest cost of an asynchronous probe (a Timeout allocated, linked and unlinked
 * on every run). Here the timer is armed for the earliest deadline and, when it fires, times out whatever has
 * expired and re-arms for the next deadline; a check that settles in time only leaves the set. The timer keeps the
 * process alive exactly while something is pending, so that `await app.inject('/health')` in a script always gets
 * its answer and nothing lingers afterwards.
 */
export class PendingChecks {
  readonly #runs = new Set<PendingCheck>()
  // Runs a probe or a direct call waits on; background runs never hold the process open.
  #waited = 0
  #timer: NodeJS.Timeout | undefined
  #armedFor = Infinity
  #closed = false

  add (run: PendingCheck): void {
    this.#runs.add(run)
    if (run.deadline < this.#armedFor) this.#arm(run.deadline)
    if (!run.background && ++this.#waited === 1) this.#hold()
  }

  delete (run: PendingCheck): void {
    this.#runs.delete(run)
    // Still armed for a check that settled in time: let it fire, but not hold the process open for it.
    if (!run.background && --this.#waited === 0) this.#hold()
  }

  // Once the app is closing, a run (say, runHealthChecks() after close) still times out, but holds nothing open.
  #hold (): void {
    if (this.#waited > 0 && !this.#closed) this.#timer?.ref()
    else this.#timer?.unref()
  }

  /**
   * Keeps the process alive while a caller waits on `run`, a background run (which holds nothing open by itself):
   * a script awaiting a report gets it, timed out if need be, instead of ending with the answer pending.
   */
  async waitOn<T> (run: Promise<T>): Promise<T> {
    this.#waited++
    this.#hold()
    try {
      return await run
    } finally {
      this.#waited--
      this.#hold()
    }
  }

  /** Ends every pending check at once with an error (the app is closing) and disarms the timer. */
  cancelAll (message: string): void {
    this.#closed = true
    for (const run of this.#runs) run.cancel(message)
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#armedFor = Infinity
  }

  #arm (deadline: number): void {
    clearTimeout(this.#timer)
    this.#armedFor = deadline
    this.#timer = setTimeout(PendingChecks.#onTimer, Math.min(MAX_TIMER_DELAY, Math.max(0, deadline - performance.now())), this)
    this.#hold()
  }

  static #onTimer (self: PendingChecks): void {
    self.#timer = undefined
    self.#armedFor = Infinity
    const now = performance.now()
    let next = Infinity
    // Deleting the visited entry while iterating a Set is safe; a run timed out here leaves the set through delete().
    for (const run of self.#runs) {
      if (run.deadline <= now) run.timeOut()
      else if (run.deadline < next) next = run.deadline
    }
    if (next !== Infinity) self.#arm(next)
  }
}
