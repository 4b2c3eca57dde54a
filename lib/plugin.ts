import type { FastifyInstance } from 'fastify'
import { Availability } from './availability'
import { contain, logThrown } from './callbacks'
import { CheckSet } from './check-set'
import { FST_HEALTH_ALREADY_REGISTERED } from './errors'
import type { HealthReport, ReadyReport } from './formats/schema'
import { installGracefulShutdown } from './graceful-shutdown'
import { normaliseOptions } from './options'
import { addRoutes } from './routes'
import { StatusLog } from './status-log'
import { installWatchdog } from './watchdog/watchdog'
import type { CheckKind, CheckOptions, HealthCheckFn } from './types'

const CLOSING_MESSAGE = 'cancelled: the server is closing'

const callClose = (fn: HealthCheckFn): unknown => (fn.close as () => unknown)()

/** The body of the plugin; index.ts wraps it with fastify-plugin so that the decorators reach the registering instance. */
export async function registerHealth (app: FastifyInstance, options: Record<string, unknown>): Promise<void> {
  if (app.hasDecorator('addHealthCheck')) {
    throw new FST_HEALTH_ALREADY_REGISTERED('fastify-health is already registered in this context; register it once, or in sibling contexts with different paths')
  }
  const opts = normaliseOptions(options)
  const statusLog = new StatusLog(app.log, opts.onStatusChange, opts.timeout)
  const setOptions = { cacheTtl: opts.cacheTtl, defaults: opts.checkDefaults, statusLog }
  const sets: Record<CheckKind, CheckSet> = {
    health: new CheckSet({ kind: 'health', ...setOptions }),
    ready: new CheckSet({ kind: 'ready', ...setOptions }),
    // Background startup checks that pass on their interval close the startup latch, with or without probes.
    startup: new CheckSet({ kind: 'startup', ...setOptions, onBackgroundResult: () => { availability.backgroundStartupResult() } })
  }
  const availability: Availability = new Availability({
    app,
    sets,
    statusLog,
    escalateAfter: opts.escalateAfter,
    shutdownDelay: opts.gracefulShutdown?.delay
  })

  const adder = (set: CheckSet) => function addCheck (this: FastifyInstance, name: string, check: HealthCheckFn, checkOptions?: CheckOptions) {
    set.add(name, check, checkOptions)
    return this
  }
  app.decorate('addHealthCheck', adder(sets.health))
  app.decorate('addReadyCheck', adder(sets.ready))
  app.decorate('addStartupCheck', adder(sets.startup))
  app.decorate('runHealthChecks', async function runHealthChecks (): Promise<HealthReport> {
    return (await availability.answer('health')).report as HealthReport
  })
  app.decorate('runReadyChecks', async function runReadyChecks (): Promise<ReadyReport> {
    return (await availability.answer('ready')).report as ReadyReport
  })
  app.decorate('health', {
    setReady: availability.setReady,
    setLive: availability.setLive,
    whenStarted: availability.whenStarted,
    shutdown: availability.shutdown
  })

  const routeContext = { availability, opts }
  addRoutes(app, 'health', opts.path, { ...routeContext, set: sets.health })
  addRoutes(app, 'ready', opts.readyPath, { ...routeContext, set: sets.ready })
  addRoutes(app, 'startup', opts.startupPath, { ...routeContext, set: sets.startup })

  app.addHook('onReady', (done) => {
    for (const set of Object.values(sets)) set.startScheduling()
    availability.ready()
    done()
  })
  // Readiness goes to not_ready as soon as closing begins, no request waits on a hanging check while the server
  // drains, and no background run starts any more.
  app.addHook('preClose', (done) => {
    availability.beginShutdown()
    availability.skipDelay()
    // The cancellations below, and whatever runs after them, are the app closing: not status changes worth reporting.
    statusLog.close()
    for (const set of Object.values(sets)) set.cancelPending(CLOSING_MESSAGE)
    done()
  })
  app.addHook('onClose', async () => {
    for (const set of Object.values(sets)) set.cancelPending(CLOSING_MESSAGE)
    // A function registered more than once is closed once.
    const closers = new Set<HealthCheckFn>()
    for (const set of Object.values(sets)) {
      for (const state of set.states) if (typeof state.fn.close === 'function') closers.add(state.fn)
    }
    await Promise.all([...closers].map(async fn => {
      const settled = await contain(callClose, fn, opts.closeTimeout)
      if (settled.outcome === 'threw') {
        logThrown(app.log, 'error', settled.error, 'fastify-health: a check\'s close() failed')
      } else if (settled.outcome === 'timeout') {
        app.log.error(`fastify-health: a check's close() did not settle within ${opts.closeTimeout} ms; closing goes on`)
      }
    }))
  })

  if (opts.gracefulShutdown !== null) installGracefulShutdown(app, availability, opts.gracefulShutdown)
  if (opts.watchdog !== null) installWatchdog(app, opts, opts.watchdog)
}
