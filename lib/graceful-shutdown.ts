import type { FastifyInstance } from 'fastify'
import type { CheckSet } from './check-set'

/**
 * Graceful shutdown for rolling updates. On the first signal readiness turns `not_ready` at once, so that load
 * balancers and Kubernetes endpoints stop routing here; after `delay` ms the app closes (requests in flight finish)
 * and the signal is raised again with our listener gone, so the process ends the way it would have without us.
 * A second signal during the delay skips the rest of the wait.
 */
export function installGracefulShutdown (
  app: FastifyInstance,
  ready: CheckSet,
  options: { signals: NodeJS.Signals[], delay: number }
): void {
  let received: NodeJS.Signals | undefined
  let timer: NodeJS.Timeout | undefined

  const removeListeners = (): void => {
    for (const signal of options.signals) process.removeListener(signal, onSignal)
  }

  const finish = (): void => {
    clearTimeout(timer)
    removeListeners()
    const signal = received as NodeJS.Signals
    app.close().then(
      () => process.kill(process.pid, signal),
      /* c8 ignore next 4 -- only an onClose hook of the app's own can make close() fail */
      (err: unknown) => {
        app.log.error({ err }, 'fastify-health: app.close() failed during graceful shutdown')
        process.kill(process.pid, signal)
      }
    )
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
  // An app closed for another reason must not leave its listeners on the process.
  app.addHook('onClose', (_instance, done) => {
    if (received === undefined) removeListeners()
    done()
  })
}
