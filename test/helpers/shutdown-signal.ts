import type { Test } from 'tap'
// For in-process graceful-shutdown tests. A guard is a listener of the test's own on SIGNAL: attached before the
// signal is emitted, it is an "other listener" (the plugin then leaves the exit to it and does not raise the signal
// again); attached after, it is not counted, and it keeps the test process alive when the plugin raises the signal
// for real (while a signal has any listener, Node does not apply its default action). process.emit() stands in for
// the first delivery.
export const SIGNAL = 'SIGUSR2'

// Taken before any test installs a fake clock: the plugin keeps the process alive for a raised signal with a timer of
// its own, which is fake in tests on a fake clock, and a signal listener alone does not keep the event loop alive.
const realSetInterval = setInterval
const realClearInterval = clearInterval

export interface SignalGuard {
  count: () => number
  /** Resolves once the guard has seen the signal `n` times (emitted or delivered). */
  reached: (n: number) => Promise<void>
}

export function guardSignal (t: Test): SignalGuard {
  let count = 0
  const waiting: Array<{ n: number, resolve: () => void }> = []
  const guard = (): void => {
    count++
    for (const w of waiting) if (count >= w.n) w.resolve()
  }
  process.on(SIGNAL, guard)
  t.teardown(() => { process.removeListener(SIGNAL, guard) })
  return {
    count: () => count,
    reached: async (n: number) => {
      if (count >= n) return
      const alive = realSetInterval(() => {}, 1000)
      await new Promise<void>(resolve => waiting.push({ n, resolve }))
      realClearInterval(alive)
    }
  }
}
