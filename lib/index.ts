import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import * as errors from './errors'
import { registerHealth } from './plugin'
import type * as schemas from './formats/schema'
import type * as types from './types'

/**
 * fastify-health: liveness and readiness endpoints backed by named checks.
 *
 * `require('fastify-health')`, its `.default`, `.healthPlugin` and `.fastifyHealth`, `import healthPlugin from
 * 'fastify-health'` and `import { healthPlugin, fastifyHealth } from 'fastify-health'` all give this same function, as
 * @fastify plugins do.
 */
async function healthPlugin (app: FastifyInstance, options: types.HealthPluginOptions): Promise<void> {
  await registerHealth(app, options as Record<string, unknown>)
}
fp(healthPlugin, { name: 'fastify-health', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Registers a liveness check, reported by `GET path` (default `/health`). Throws at once for an empty or
     * non-string name, a non-function check, a name already used by another liveness check, or bad options.
     */
    addHealthCheck (name: string, check: types.HealthCheckFn, options?: types.CheckOptions): this
    /** Registers a readiness check, reported by `GET readyPath` (default `/health/ready`). Same rules as addHealthCheck. */
    addReadyCheck (name: string, check: types.HealthCheckFn, options?: types.CheckOptions): this
    /**
     * Registers a startup check, reported by `GET startupPath` (default `/health/started`). Startup checks run until
     * all of them pass in one run; from then on the app counts as started and they never run again. Same rules as
     * addHealthCheck.
     */
    addStartupCheck (name: string, check: types.HealthCheckFn, options?: types.CheckOptions): this
    /**
     * Registers a check that belongs only to custom groups (`options.groups`, required and non-empty): it is in no
     * probe, so it can never fail liveness or readiness. Same rules as addHealthCheck.
     */
    addCheck (name: string, check: types.HealthCheckFn, options: types.CheckOptions & { groups: string[] }): this
    /** Runs the liveness checks (sharing a run in progress and the cache) and returns the report the endpoint would send. */
    runHealthChecks: () => Promise<schemas.HealthReport>
    /** Runs the readiness checks and returns the report the endpoint would send. */
    runReadyChecks: () => Promise<schemas.ReadyReport>
    /**
     * Runs the startup checks, or once start-up has finished answers from the latch without running them, and returns
     * the report the endpoint would send.
     */
    runStartupChecks: () => Promise<schemas.StartupReport>
    /** The app's own say in its availability (`setReady`, `setLive`, `whenStarted`, `shutdown`) and `addPublisher`. */
    health: types.HealthControls
  }
  interface FastifyContextConfig {
    /**
     * Set on the probe routes (`'health'`, `'ready'` or `'startup'`) and on a custom group's routes (its name), so that
     * an auth hook can let probes through.
     */
    healthProbe?: types.CheckKind | (string & {})
    /**
     * The checks this route needs (`{ requires, retryAfter? }`): while one of them fails, the route answers 503 with
     * `Retry-After` before its handler. For routes registered after the plugin, in its context and below.
     * Default: none (the route is not gated and gets no hook).
     */
    health?: types.RouteHealthConfig
  }
}

// The CommonJS shape of every @fastify plugin: the function itself, with `default` and a named export pointing back
// at it, and the public types alongside.
declare namespace healthPlugin {
  export type HealthPluginOptions = types.HealthPluginOptions
  export type HealthCheckFn = types.HealthCheckFn
  export type HealthCheckContext = types.HealthCheckContext
  export type CheckOutcome = types.CheckOutcome
  export type ServiceInfo = types.ServiceInfo
  export type HealthControls = types.HealthControls
  export type ShutdownOptions = types.ShutdownOptions
  export type StartupReport = schemas.StartupReport
  export type CheckOptions = types.CheckOptions
  export type GroupOptions = types.GroupOptions
  export type CheckKind = types.CheckKind
  export type CheckImpact = types.CheckImpact
  export type RouteHealthConfig = types.RouteHealthConfig
  export type KubernetesProbesOptions = types.KubernetesProbesOptions
  export type KubernetesProbe = types.KubernetesProbe
  export type KubernetesProbes = types.KubernetesProbes
  export type StatusChangeEvent = types.StatusChangeEvent
  export type GracefulShutdownOptions = types.GracefulShutdownOptions
  export type OpenApiOptions = types.OpenApiOptions
  export type MetricsOptions = types.MetricsOptions
  export type MeterProviderLike = types.MeterProviderLike
  export type Publisher = types.Publisher
  export type PublisherOptions = types.PublisherOptions
  export type PublishContext = types.PublishContext
  export type PublishedReport = types.PublishedReport
  export type WatchdogOptions = types.WatchdogOptions
  export type CheckStatus = schemas.CheckStatus
  export type CheckResult = schemas.CheckResult
  export type HealthReport = schemas.HealthReport
  export type ReadyReport = schemas.ReadyReport
  export type CheckHistory = types.CheckHistory
  export type StatusChangeRecord = types.StatusChangeRecord
  export type StatusPageOptions = types.StatusPageOptions
}
healthPlugin.healthPlugin = healthPlugin
// The name fastify-plugin derives from the plugin's name (`fastify-health` → `fastifyHealth`), as every @fastify
// plugin exports; fastify-plugin sets it at run time, this declares it.
healthPlugin.fastifyHealth = healthPlugin
healthPlugin.default = healthPlugin
// The error constructors, so that users can match `err.code` or test `err instanceof FST_HEALTH_INVALID_OPTION`.
healthPlugin.FST_HEALTH_INVALID_OPTION = errors.FST_HEALTH_INVALID_OPTION
healthPlugin.FST_HEALTH_INVALID_CHECK_NAME = errors.FST_HEALTH_INVALID_CHECK_NAME
healthPlugin.FST_HEALTH_INVALID_CHECK = errors.FST_HEALTH_INVALID_CHECK
healthPlugin.FST_HEALTH_DUPLICATE_CHECK = errors.FST_HEALTH_DUPLICATE_CHECK
healthPlugin.FST_HEALTH_REENTRANT_RUN = errors.FST_HEALTH_REENTRANT_RUN
healthPlugin.FST_HEALTH_ALREADY_REGISTERED = errors.FST_HEALTH_ALREADY_REGISTERED
healthPlugin.FST_HEALTH_UNKNOWN_CHECK = errors.FST_HEALTH_UNKNOWN_CHECK
healthPlugin.FST_HEALTH_DEPENDENCY_UNAVAILABLE = errors.FST_HEALTH_DEPENDENCY_UNAVAILABLE
healthPlugin.FST_HEALTH_INVALID_DEPENDENCY = errors.FST_HEALTH_INVALID_DEPENDENCY
healthPlugin.FST_HEALTH_NOT_REGISTERED = errors.FST_HEALTH_NOT_REGISTERED
healthPlugin.FST_HEALTH_UNKNOWN_GROUP = errors.FST_HEALTH_UNKNOWN_GROUP
healthPlugin.FST_HEALTH_MISSING_PEER = errors.FST_HEALTH_MISSING_PEER
healthPlugin.FST_HEALTH_CLOSED_BEFORE_STARTED = errors.FST_HEALTH_CLOSED_BEFORE_STARTED
healthPlugin.FST_HEALTH_WATCHDOG_LISTEN = errors.FST_HEALTH_WATCHDOG_LISTEN

// tsc moves `module.exports = healthPlugin` (from `export =`) to the end of the file, so these lines write on the
// initial exports object and change nothing at run time. They are here for Node's CommonJS export detection, which
// reads these statements to learn the names that `import { healthPlugin, FST_HEALTH_INVALID_OPTION } from 'fastify-health'`
// may use.
module.exports.healthPlugin = healthPlugin
module.exports.fastifyHealth = healthPlugin
module.exports.default = healthPlugin
module.exports.FST_HEALTH_INVALID_OPTION = errors.FST_HEALTH_INVALID_OPTION
module.exports.FST_HEALTH_INVALID_CHECK_NAME = errors.FST_HEALTH_INVALID_CHECK_NAME
module.exports.FST_HEALTH_INVALID_CHECK = errors.FST_HEALTH_INVALID_CHECK
module.exports.FST_HEALTH_DUPLICATE_CHECK = errors.FST_HEALTH_DUPLICATE_CHECK
module.exports.FST_HEALTH_REENTRANT_RUN = errors.FST_HEALTH_REENTRANT_RUN
module.exports.FST_HEALTH_ALREADY_REGISTERED = errors.FST_HEALTH_ALREADY_REGISTERED
module.exports.FST_HEALTH_UNKNOWN_CHECK = errors.FST_HEALTH_UNKNOWN_CHECK
module.exports.FST_HEALTH_DEPENDENCY_UNAVAILABLE = errors.FST_HEALTH_DEPENDENCY_UNAVAILABLE
module.exports.FST_HEALTH_INVALID_DEPENDENCY = errors.FST_HEALTH_INVALID_DEPENDENCY
module.exports.FST_HEALTH_NOT_REGISTERED = errors.FST_HEALTH_NOT_REGISTERED
module.exports.FST_HEALTH_UNKNOWN_GROUP = errors.FST_HEALTH_UNKNOWN_GROUP
module.exports.FST_HEALTH_MISSING_PEER = errors.FST_HEALTH_MISSING_PEER
module.exports.FST_HEALTH_CLOSED_BEFORE_STARTED = errors.FST_HEALTH_CLOSED_BEFORE_STARTED
module.exports.FST_HEALTH_WATCHDOG_LISTEN = errors.FST_HEALTH_WATCHDOG_LISTEN
export = healthPlugin
