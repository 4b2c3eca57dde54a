/**
 * Runs `start()` and settles with its promise, or rejects with the signal's reason as soon as the signal aborts, for
 * work that takes no signal of its own (a `statfs` on a hung network mount). Nothing starts when the signal is
 * already aborted. Aborting does not stop the work itself; its late outcome is ignored.
 */
export async function untilAborted<T> (start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  const promise = start()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    // Removing the listener once settled keeps a long-lived signal from collecting one listener per run.
    promise.then(value => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}
