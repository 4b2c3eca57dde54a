import type { Test } from 'tap'
// For in-process graceful-shutdown tests. The plugin raises the signal again for real once the app has closed, so a
// test keeps a listener of its own on that signal until it has arrived: while a signal has any listener, Node does not
// apply its default action, and the test process survives. process.emit() stands in for the first delivery.
export const SIGNAL = 'SIGUSR2'

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
    reached: async (n: number) => { if (count < n) await new Promise<void>(resolve => waiting.push({ n, resolve })) }
  }
}
