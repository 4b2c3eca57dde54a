import type { FastifyInstance } from 'fastify'
import { Availability } from './groups/availability'
import { contain, logThrown } from './callbacks'
import { Groups } from './groups/groups'
import { Dashboards } from './dashboards'
import { FST_HEALTH_ALREADY_REGISTERED, FST_HEALTH_INVALID_CHECK_NAME, FST_HEALTH_UNKNOWN_GROUP } from './errors'
import type { HealthReport, ReadyReport, StartupReport } from './formats/schema'
import { installGracefulShutdown } from './graceful-shutdown'
import { type Internals, kInternals } from './internals'
import { installGate } from './http/gate'
import { healthSource } from './integrations/adapter'
import { installMetrics } from './integrations/opentelemetry'
import { Publishers } from './integrations/publishers/publisher'
import { addRoutes, type RouteContext } from './http/routes'
import { kubernetesProbes } from './kubernetes-probes'
import { lintLiveness } from './liveness-lint'
import { DEFAULT_SHUTDOWN_DELAY, groupOptions, normaliseCheckOptions, normaliseOptions, type GroupOptions } from './options'
import { gateSource, livenessChecks, probeInputs } from './registry/adapter'
import { Registry } from './registry/registry'
import { StatusLog } from './status-log'
import { installWatchdog } from './watchdog/watchdog'
import type { CheckKind, CheckOptions, HealthCheckFn } from './types'

const CLOSING_MESSAGE = 'cancelled: the server is closing'

const callClose = (fn: HealthCheckFn): unknown => (fn.close as () => unknown)()
// A `close` getter that throws counts as a close(): read again inside contain(), its throw is logged like any other.
const hasClose = (fn: HealthCheckFn): boolean => {
  try {
    return typeof fn.close === 'function'
  } catch {
    return true
  }
}

/** The body of the plugin; index.ts wraps it with fastify-plugin so that the decorators reach the registering instance. */
export async function registerHealth (app: FastifyInstance, options: Record<string, unknown>): Promise<void> {
  if (app.hasDecorator('addHealthCheck')) {
    throw new FST_HEALTH_ALREADY_REGISTERED('the plugin is already registered in this context; register it once, or in sibling contexts with different paths')
  }
  const opts = normaliseOptions(options)
  const statusLog = new StatusLog(app.log, opts.onStatusChange, opts.timeout)
  const registry = new Registry({
    cacheTtl: opts.cacheTtl,
    // Background startup checks that pass on their interval close the startup latch, with or without probes.
    onBackgroundResult: state => { if (state.groups.includes('startup')) availability.backgroundStartupResult() }
  })
  registry.onChange(event => { statusLog.changed(event) })
  const groups = new Groups(registry, opts.cacheTtl)
  const dashboards = new Dashboards({ statusPageRefresh: opts.statusPage?.refresh ?? null, service: opts.service, registry })
  const availability: Availability = new Availability({
    app,
    groups,
    registry,
    statusLog,
    escalateAfter: opts.escalateAfter,
    shutdownDelay: opts.gracefulShutdown?.delay
  })
  const routeContext: RouteContext = { availability, opts, dashboards }
  // A name longer than Fastify's maxParamLength could never be asked for on its own route (Fastify answers 414).
  // Fastify 5 takes it from routerOptions, or (deprecated) from the top-level option, which initialConfig keeps.
  const maxNameLength = opts.checkRoutes ? (app.initialConfig.routerOptions?.maxParamLength ?? app.initialConfig.maxParamLength) as number : Infinity
  let ready = false

  const adder = (kind: CheckKind | null, method: string) => function addCheck (this: FastifyInstance, name: string, check: HealthCheckFn, checkOptions?: CheckOptions) {
    const state = registry.register(method, name, check, (fn, name) => {
      if (encodeURIComponent(name).length > maxNameLength) {
        throw new FST_HEALTH_INVALID_CHECK_NAME(`${method}(${JSON.stringify(name.slice(0, 40))}…): the name is longer than Fastify's maxParamLength (${maxNameLength} characters in a URL), so its per-check route could not answer; use a shorter name, raise maxParamLength in Fastify's options, or turn per-check routes off (checkRoutes: false)`)
      }
      return normaliseCheckOptions(method, name, checkOptions, opts.checkDefaults, kind === null)
    })
    groups.join(state, kind, state.options.groups, method)
    return this
  }
  const addGroup = (name: string, options: GroupOptions): void => {
    if (ready) throw new FST_HEALTH_UNKNOWN_GROUP(`app.health.addGroup(${JSON.stringify(name)}) was called after the app was ready; declare groups before`)
    const group = groups.declare(name)
    addRoutes(app, group, options.path ?? `${opts.path === '/' ? '' : opts.path}/group/${name}`, routeContext, options.exposeDetails ?? opts.exposeDetails)
  }
  const run = async (name: string): Promise<HealthReport | ReadyReport | StartupReport> => {
    const group = typeof name === 'string' ? groups.get(name) : undefined
    if (group === undefined) throw new FST_HEALTH_UNKNOWN_GROUP(`app.health.run() names group ${JSON.stringify(name)}, which is not declared`)
    return (await availability.answer(group)).report
  }

  const inner: Internals = { registry, groups, availability, opts, statusLog }
  app.decorate(kInternals, inner)
  const source = healthSource(inner, app.log)
  const publishers = new Publishers(source)
  // `metrics` without its peer dependency rejects register().
  if (options.metrics !== undefined && options.metrics !== false) installMetrics(source, options.metrics)
  app.decorate('addHealthCheck', adder('health', 'addHealthCheck'))
  app.decorate('addReadyCheck', adder('ready', 'addReadyCheck'))
  app.decorate('addStartupCheck', adder('startup', 'addStartupCheck'))
  app.decorate('addCheck', adder(null, 'addCheck'))
  app.decorate('runHealthChecks', async function runHealthChecks (): Promise<HealthReport> {
    return (await availability.answer(groups.health)).report as HealthReport
  })
  app.decorate('runReadyChecks', async function runReadyChecks (): Promise<ReadyReport> {
    return (await availability.answer(groups.ready)).report as ReadyReport
  })
  app.decorate('runStartupChecks', async function runStartupChecks (): Promise<StartupReport> {
    return (await availability.answer(groups.startup)).report as StartupReport
  })
  app.decorate('health', {
    setReady: availability.setReady,
    setLive: availability.setLive,
    whenStarted: availability.whenStarted,
    shutdown: availability.shutdown,
    addGroup (name: string, options?: unknown) {
      addGroup(name, groupOptions('app.health.addGroup(): group', name, options, opts.prefix))
    },
    run,
    kubernetesProbes: (probeOptions: unknown) => kubernetesProbes(probeInputs(groups, opts, opts.gracefulShutdown?.delay ?? DEFAULT_SHUTDOWN_DELAY), probeOptions),
    history: dashboards.history,
    addPublisher: publishers.add
  })
  installGate(app, gateSource(registry), opts)

  addRoutes(app, groups.health, opts.path, routeContext)
  addRoutes(app, groups.ready, opts.readyPath, routeContext)
  addRoutes(app, groups.startup, opts.startupPath, routeContext)
  for (const [name, groupOpts] of opts.groups) addGroup(name, groupOpts)

  app.addHook('onReady', (done) => {
    ready = true
    // Errors here fail app.ready(), naming the check and the group or dependency.
    try {
      groups.verify()
      registry.resolve()
    } catch (err) {
      done(err as Error)
      return
    }
    lintLiveness(app.log, livenessChecks(groups))
    registry.startScheduling()
    availability.ready()
    publishers.ready()
    done()
  })
  // Readiness goes to not_ready as soon as closing begins, no request waits on a hanging check while the server
  // drains, and no background run starts any more.
  app.addHook('preClose', (done) => {
    availability.closing()
    availability.beginShutdown()
    availability.skipDelay()
    // The cancellations below, and whatever runs after them, are the app closing: not status changes worth reporting.
    statusLog.close()
    registry.cancelPending(CLOSING_MESSAGE)
    done()
  })
  app.addHook('onClose', async () => {
    registry.cancelPending(CLOSING_MESSAGE)
    // A function registered more than once is closed once.
    const closers = new Set<HealthCheckFn>()
    for (const state of registry.states) if (hasClose(state.fn)) closers.add(state.fn)
    await Promise.all([...closers].map(async fn => {
      const settled = await contain(callClose, fn, opts.closeTimeout)
      if (settled.outcome === 'threw') {
        logThrown(app.log, 'error', settled.error, 'fastify-health: a check\'s close() failed')
      } else if (settled.outcome === 'timeout') {
        app.log.error(`fastify-health: a check's close() did not settle within ${opts.closeTimeout} ms; closing goes on`)
      }
    }))
  })
  // onClose hooks run last added first: the final publishes happen before the checks' close(), while their resources
  // are still open.
  app.addHook('onClose', async () => { await publishers.close() })

  if (opts.gracefulShutdown !== null) installGracefulShutdown(app, availability, opts.gracefulShutdown)
  if (opts.watchdog !== null) installWatchdog(app, opts, opts.watchdog)
}
