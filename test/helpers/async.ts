/** A promise with its resolve/reject exposed, so that a test decides when a check settles. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (reason?: unknown) => void
}

export function deferred<T = boolean> (): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason?: unknown) => void
  const promise = new Promise<T>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  return { promise, resolve, reject }
}

/** Resolves after `promise` has settled (either way) and a full turn of the event loop has run after it. */
export async function settled (promise: PromiseLike<unknown>): Promise<void> {
  await Promise.resolve(promise).then(() => {}, () => {})
  await new Promise(resolve => setImmediate(resolve))
}

/**
 * Records every 'unhandledRejection' and 'warning' the process emits while a test runs. Having a listener for
 * 'unhandledRejection' keeps Node from crashing, so the test can assert on what arrived instead.
 */
export function watchProcess (t: { teardown: (fn: () => void) => void }): { rejections: unknown[], warnings: Error[] } {
  const seen = { rejections: [] as unknown[], warnings: [] as Error[] }
  const onRejection = (reason: unknown): void => { seen.rejections.push(reason) }
  const onWarning = (warning: Error): void => { seen.warnings.push(warning) }
  process.on('unhandledRejection', onRejection)
  process.on('warning', onWarning)
  t.teardown(() => {
    process.removeListener('unhandledRejection', onRejection)
    process.removeListener('warning', onWarning)
  })
  return seen
}

/**
 * A check that never settles, and a promise that resolves once it has been called: a test moves a fake clock only
 * after the run it means to time out has started.
 */
export function hanging (): { check: () => Promise<boolean>, started: Promise<void>, calls: () => number } {
  let calls = 0
  const started = deferred<void>()
  return {
    check: () => {
      calls++
      started.resolve()
      return new Promise<boolean>(() => {})
    },
    started: started.promise,
    calls: () => calls
  }
}
