import type { FastifyInstance } from 'fastify'
import type { Availability } from './groups/availability'
import { logThrown } from './callbacks'
import type { NormalisedOptions } from './options'

const KEEP_ALIVE_MS = 1000
const keepAlive = (): void => {}

// signal-exit (v4 keeps its emitter under this symbol, v3 on process.__signal_exit_emitter__) is loaded by many tools
// and test runners. It listens to the signals that end a process only to run exit handlers, and acts only when its
// listeners are the only ones (then it raises the signal again itself): it never owns the exit, so its listeners,
// one per loaded copy, are not counted as others.
const SIGNAL_EXIT_V4 = Symbol.for('signal-exit emitter')
const SIGNAL_EXIT_SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGALRM', 'SIGABRT', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ',
  'SIGUSR2', 'SIGTRAP', 'SIGSYS', 'SIGQUIT', 'SIGIOT', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGSTKFLT'])
const emitterCount = (emitter: unknown): number => {
  const count = (emitter as { count?: unknown } | undefined)?.count
  return typeof count === 'number' ? count : 0
}
const passiveListeners = (signal: NodeJS.Signals): number => SIGNAL_EXIT_SIGNALS.has(signal)
  ? emitterCount((globalThis as Record<symbol, unknown>)[SIGNAL_EXIT_V4]) +
    emitterCount((process as unknown as { __signal_exit_emitter__?: unknown }).__signal_exit_emitter__)
  : 0

type Listener = (signal: NodeJS.Signals) => void
// The listeners of every registration in the process (sibling contexts, several apps), each with the signal it is
// closing on, if any. They are not others to each other: the last one to finish closing raises the signal again.
// Keyed by Symbol.for on process, so that copies of this package loaded side by side share it.
const REGISTRY = Symbol.for('fastify-health graceful shutdown listeners')
const registry = (): Map<Listener, NodeJS.Signals | undefined> => {
  const host = process as unknown as Record<symbol, Map<Listener, NodeJS.Signals | undefined> | undefined>
  host[REGISTRY] ??= new Map()
  return host[REGISTRY]
}

/**
 * Graceful shutdown on a signal, for rolling updates: the first signal runs `app.health.shutdown()` (readiness turns
 * `not_ready` at once, so that load balancers and Kubernetes endpoints stop routing here; the app closes after the
 * delay). A second signal skips the rest of the wait.
 *
 * Then the process must end the way it would have without the plugin. When nothing else listens to the signal, the
 * plugin raises it again with its own listener gone, and the default action ends the process. When something else
 * listens (close-with-grace, the app's own handler), that listener has received this very signal already and owns
 * the exit: raising it again would deliver it twice (close-with-grace takes a second one as "exit now"). Other
 * registrations of the plugin are not something else: each closes its app, and the last to finish raises the signal.
 */
export function installGracefulShutdown (app: FastifyInstance, availability: Availability, options: NonNullable<NormalisedOptions['gracefulShutdown']>): void {
  let received: NodeJS.Signals | undefined
  const ours = registry()

  const removeListeners = (): void => {
    for (const signal of options.signals) process.removeListener(signal, onSignal)
    ours.delete(onSignal)
  }

  const reRaise = (signal: NodeJS.Signals): void => {
    process.kill(process.pid, signal)
    // Node hands a signal to JavaScript listeners on a later turn of the event loop, which may have nothing left to
    // do after close() and would end with code 0 first: keep it alive until the signal is handled.
    setTimeout(keepAlive, KEEP_ALIVE_MS)
  }

  function onSignal (signal: NodeJS.Signals): void {
    if (received !== undefined) {
      app.log.info({ signal }, 'fastify-health: second signal, closing now')
      availability.skipDelay()
      return
    }
    received = signal
    ours.set(onSignal, signal)
    // Counted now, while every listener is still attached: this signal reaches each of them once.
    const othersListen = process.listeners(signal).filter(listener => !ours.has(listener as Listener)).length - passiveListeners(signal) > 0
    app.log.info({ signal }, `fastify-health: ${signal} received`)
    availability.shutdown().catch((err: unknown) => {
      logThrown(app.log, 'error', err, 'fastify-health: app.close() failed during graceful shutdown')
    }).finally(() => {
      removeListeners()
      if (!othersListen && ![...ours.values()].includes(signal)) reRaise(signal)
    })
  }

  for (const signal of options.signals) process.on(signal, onSignal)
  ours.set(onSignal, undefined)
  app.addHook('onClose', (_instance, done) => {
    // Closed for another reason: leave no listener on the process (tests, CLIs and apps that close and go on).
    if (received === undefined) removeListeners()
    done()
  })
}
