import type { FastifyInstance } from 'fastify'
import type { CheckSet } from './check-set'
import type { NormalisedOptions } from './options'

const KEEP_ALIVE_MS = 1000
const keepAlive = (): void => {}

/**
 * Graceful shutdown for rolling updates. On the first signal readiness turns `not_ready` at once, so that load
 * balancers and Kubernetes endpoints stop routing here; after `delay` ms the app closes (requests in flight finish)
 * and the signal is raised again with our listener gone, so the process ends the way it would have without us.
 * A second signal during the delay skips the rest of the wait, and so does the app closing for another reason.
 */
export function installGracefulShutdown (app: FastifyInstance, ready: CheckSet, options: NonNullable<NormalisedOptions['gracefulShutdown']>): void {
  let received: NodeJS.Signals | undefined
  let timer: NodeJS.Timeout | undefined
  let finishing = false

  const removeListeners = (): void => {
    for (const signal of options.signals) process.removeListener(signal, onSignal)
  }

  const reRaise = (): void => {
    process.kill(process.pid, received as NodeJS.Signals)
    // With no listener left, the default action ends the process right here. If something else listens to the
    // signal (signal-exit, the app's own handler), Node hands it over on a later turn of the event loop, which may
    // have nothing left to do after close() and would end with code 0 first: keep it alive until the signal is
    // handled, the way it would have been without the plugin.
    setTimeout(keepAlive, KEEP_ALIVE_MS)
  }

  const finish = (): void => {
    finishing = true
    clearTimeout(timer)
    // From here on the signal's default action applies again: a further signal ends the process at once.
    removeListeners()
    // close() while the app is already closing resolves when that close has finished, so this also serves the
    // case where something else closed the app during the delay.
    app.close().then(reRaise, (err: unknown) => {
      app.log.error({ err }, 'fastify-health: app.close() failed during graceful shutdown')
      reRaise()
    })
  }

  function onSignal (signal: NodeJS.Signals): void {
    if (received !== undefined) {
      app.log.info({ signal }, 'fastify-health: second signal, closing now')
      finish()
      return
    }
    received = signal
    ready.startShutdown()
    app.log.info({ signal, delay: options.delay }, `fastify-health: ${signal} received, readiness is now not_ready; closing in ${options.delay} ms`)
    timer = setTimeout(finish, options.delay)
  }

  for (const signal of options.signals) process.on(signal, onSignal)
  app.addHook('onClose', (_instance, done) => {
    // Closed for another reason: leave no listener on the process (tests, CLIs and apps that close and go on).
    if (received === undefined) removeListeners()
    // Closed by someone else during the delay: there is nothing left to wait for; end the process once it is closed.
    else if (!finishing) finish()
    done()
  })
}
