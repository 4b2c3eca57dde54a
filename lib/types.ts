import type { FastifyRequest, LogLevel } from 'fastify'
import type { CheckStatus } from './formats/schema'

/** What a check receives when it runs. */
export interface HealthCheckContext {
  /**
   * Aborted when the check runs out of time (reason: a `TimeoutError` DOMException) or when the app closes.
   * Pass it to whatever the check waits on (`fetch`, a database driver, `events.once`) so that the work stops too.
   */
  readonly signal: AbortSignal
}

/**
 * A richer answer than a boolean, in the terms of the IETF health check response format: `warn` counts as passing
 * for the status code and the overall word, and shows as `"status":"warn"` in the check's entry.
 */
export interface CheckOutcome {
  /** `pass`, `warn` (passing, but worth a look) or `fail`. */
  status: 'pass' | 'warn' | 'fail'
  /** Why: reported as the entry's `error` when `status` is `fail`, and as its `output` otherwise. */
  output?: string
  /** What the check measured (free bytes, a latency), copied to the entry. */
  observedValue?: number | string | boolean
  /** The unit of `observedValue`, such as `'ms'` or `'bytes'`, copied to the entry. */
  observedUnit?: string
}

/**
 * A check: returns (or resolves) `true` when the thing it checks is fine and `false` when it is not, or a
 * `CheckOutcome` object. Throwing, rejecting, timing out or returning anything else reports the check as `error`.
 *
 * A check function may carry a `close()` method; the plugin calls it once when the app closes, so that a check
 * holding a resource (a timer, a histogram, a connection) can release it.
 */
export type HealthCheckFn = ((context: HealthCheckContext) => boolean | CheckOutcome | PromiseLike<boolean | CheckOutcome>) & {
  close?: () => void | PromiseLike<void>
}

/** Options of one check, the third argument of `addHealthCheck` / `addReadyCheck`. */
export interface CheckOptions {
  /**
   * Time limit of this check in milliseconds: past it the check is reported as `error` ("timed out after N ms") and its
   * signal is aborted. A positive finite number.
   * Default: the plugin's `timeout`.
   */
  timeout?: number
  /**
   * When `false`, a failing or erroring check is reported in `checks` (with `"critical": false`) but does not change
   * the overall status or the status code.
   * Default: `true`.
   */
  critical?: boolean
  /**
   * Run the check in the background every `interval` ms, from the moment the app is ready, instead of when a probe
   * asks: probes, `runHealthChecks()` and the per-check routes read its latest result. A probe that arrives before the
   * first result waits for it.
   * Default: the plugin's `interval` (none: the check runs when asked).
   */
  interval?: number
  /**
   * With `interval`: a result older than this many ms is reported as `error` ("stale: last result N s old"), which
   * catches a scheduler that stopped (a blocked event loop).
   * Default: `2 × interval + timeout`.
   */
  staleAfter?: number
  /**
   * Consecutive non-passing results before the check's reported status leaves `pass`. A positive integer.
   * Default: the plugin's `failureThreshold` (1).
   */
  failureThreshold?: number
  /**
   * Consecutive passing results before a failing check is reported as passing again. A positive integer.
   * Default: the plugin's `successThreshold` (1).
   */
  successThreshold?: number
  /**
   * With `interval`: while the check is failing, each failing run doubles the delay to the next one, up to this many
   * ms (at least `interval`); the first pass restores `interval`. A dead dependency is asked less and less often.
   * Default: none (no back-off).
   */
  maxInterval?: number
}

/** The kind of a check or a route: liveness (`health`), readiness (`ready`) or startup (`startup`). */
export type CheckKind = 'health' | 'ready' | 'startup'

/**
 * Passed to `onStatusChange` and logged, once each time a check's reported status changes, and for the app's own
 * availability changes (name `availability` or `startup`).
 */
export interface StatusChangeEvent {
  /** The check's name, or `availability` / `startup` for a change the app made or the startup latch. */
  name: string
  /** Whether it is a liveness (`health`), readiness (`ready`) or startup (`startup`) check. */
  kind: CheckKind
  /** Its status before, or `null` on its first run. */
  previous: CheckStatus | null
  /** Its status now. */
  status: CheckStatus
  /** The error text, when `status` is `error`. */
  error?: string
  /** How long this run of the check took, in milliseconds. */
  duration: number
  /** When it settled, in seconds since the epoch. */
  timestamp: number
  /** Whether the check affects the overall status. */
  critical: boolean
}

/** Options of `gracefulShutdown`. */
export interface GracefulShutdownOptions {
  /**
   * Signals that start a graceful shutdown.
   * Default: `['SIGTERM', 'SIGINT']`.
   */
  signals?: NodeJS.Signals[]
  /**
   * Milliseconds between the signal (readiness turns `not_ready`) and `app.close()`, so that load balancers and
   * Kubernetes endpoints stop sending traffic before the server stops accepting it. A non-negative finite number.
   * Default: `5000`.
   */
  delay?: number
}

/** Fields of the `application/health+json` answer that describe the service. */
export interface ServiceInfo {
  /** Unique identifier of the service. */
  serviceId?: string
  /** Public version of the service. */
  version?: string
  /** Release identifier, such as a build number or commit. */
  releaseId?: string
  /** Human-friendly description of the service. */
  description?: string
}

/** Options of `app.health.shutdown()`. */
export interface ShutdownOptions {
  /**
   * Milliseconds between readiness turning `not_ready` and `app.close()`.
   * Default: the `gracefulShutdown` delay, else `5000`.
   */
  delay?: number
}

/** The app's own say in its availability: `app.health`. */
export interface HealthControls {
  /**
   * The app's readiness vote: `false` makes readiness answer 503 with an `availability` entry (error: `reason`, or
   * "marked not ready") until `setReady(true)`. Liveness is not affected.
   */
  setReady: (ready: boolean, reason?: string) => void
  /** The same for liveness: `false` makes liveness answer 503 (the orchestrator restarts the instance). */
  setLive: (live: boolean, reason?: string) => void
  /** Resolves once the startup latch closes: every startup check passed in one run (or the app is ready, without any). */
  whenStarted: () => Promise<void>
  /**
   * The graceful sequence, for any signal handler: readiness turns `not_ready` (with a `shutdown` entry) at once,
   * the app closes after `delay` ms, and the promise resolves when it has closed. Later calls return the same promise.
   */
  shutdown: (options?: ShutdownOptions) => Promise<void>
}

/** Options of `openapi`. */
export interface OpenApiOptions {
  /**
   * Hide both probe routes from the document that @fastify/swagger generates.
   * Default: `false`.
   */
  hide?: boolean
  /**
   * Tags of both probe routes in the document.
   * Default: `['health']`.
   */
  tags?: string[]
}

/**
 * Options of `watchdog`: a worker thread that serves the probe routes on a port of its own, with the main thread's
 * answers while it gives them in time, and its own when the main thread is busy or stuck.
 */
export interface WatchdogOptions {
  /** The watchdog's port (not the app's), an integer from 0 to 65535; `0` lets the system pick one (it is logged). */
  port: number
  /**
   * The address to listen on. The kubelet probes the pod's IP, so loopback would fail every probe; the app's own host
   * is not known yet when the watchdog starts (at `ready()`, before `listen()`). Only the probe routes are served.
   * Default: every interface, as `server.listen(port)` does (`::`, which takes IPv4 too, or `0.0.0.0`).
   */
  host?: string
  /**
   * Milliseconds without a heartbeat from the main thread after which it counts as stuck: liveness answers 503. A
   * shorter silence is busy: liveness answers 200 with the last report. At least 100.
   * Default: `10000`.
   */
  stuckAfter?: number
}

/** Options of the plugin, passed to `app.register(healthPlugin, options)`. */
export interface HealthPluginOptions {
  /**
   * Path of the liveness endpoint. A static path starting with `/` (no `*`, `:`, `?`, `#` or whitespace).
   * Default: `'/health'`.
   */
  path?: string
  /**
   * Path of the readiness endpoint. A static path starting with `/`, different from `path`.
   * Default: `'/health/ready'`.
   */
  readyPath?: string
  /**
   * Path of the startup endpoint (for a Kubernetes `startupProbe`). A static path starting with `/`.
   * Default: `'/health/started'`.
   */
  startupPath?: string
  /**
   * Put before `path`, `readyPath` and `startupPath`. (Fastify applies `prefix` only to encapsulated plugins; this one
   * applies it itself.)
   * Default: none.
   */
  prefix?: string
  /**
   * Default time limit of every check, in milliseconds (a check can set its own). Chosen so that a response arrives
   * inside a Kubernetes probe's default `timeoutSeconds: 1` with room for the network. A positive finite number.
   * Default: `800`.
   */
  timeout?: number
  /**
   * How long, in milliseconds, a finished run answers later requests for the same endpoint (failures included).
   * `0` turns the cache off; concurrent requests still share one run. A non-negative finite number.
   * Default: `0`.
   */
  cacheTtl?: number
  /**
   * Background interval, in ms, of every check that does not set its own (see the check option `interval`).
   * Default: none (checks run when asked).
   */
  interval?: number
  /**
   * Default `failureThreshold` of every check: consecutive non-passing results before its status leaves `pass`.
   * Default: `1`.
   */
  failureThreshold?: number
  /**
   * Default `successThreshold` of every check: consecutive passes before a failing check passes again.
   * Default: `1`.
   */
  successThreshold?: number
  /**
   * Time limit, in ms, of each check's `close()` when the app closes; past it closing goes on and the hang is logged.
   * Default: `5000`.
   */
  closeTimeout?: number
  /**
   * When readiness has failed because of its checks for longer than this many ms without a break, liveness answers
   * 503 too (with a `readiness` entry), so that the orchestrator restarts the instance.
   * Default: none.
   */
  escalateAfter?: number
  /**
   * `serviceId`, `version`, `releaseId` and `description` of `application/health+json` answers.
   * Default: none.
   */
  service?: ServiceInfo
  /**
   * Whether responses list the checks (names, statuses, error texts). When `false`, or when the function returns
   * `false` for a request, the body is `{"status","timestamp"}` only, `?verbose` is ignored and the per-check routes
   * answer 404; the status code does not change. A function is bounded by `timeout`: past it, no details.
   * Default: `true`.
   */
  exposeDetails?: boolean | ((request: FastifyRequest) => boolean | Promise<boolean>)
  /**
   * Log level of the two probe routes. The default keeps a probe's request and response lines (Fastify logs them at
   * `info`) out of the logs while keeping warnings and errors.
   * Default: `'warn'`.
   */
  logLevel?: LogLevel
  /**
   * On SIGTERM or SIGINT, run `app.health.shutdown()`: readiness turns `not_ready`, the app closes after `delay` ms.
   * Then, if nothing else listens to the signal, it is raised again so that the process ends as it would have; if
   * something does (close-with-grace, your own handler), the exit is left to it. `true` takes the defaults.
   * Default: `false`.
   */
  gracefulShutdown?: boolean | GracefulShutdownOptions
  /**
   * Called once each time a check's reported status changes (and on a check's first run), for metrics and alerting.
   * May be async; what it throws or rejects with is logged at `error` and otherwise ignored, and it is not waited for
   * longer than `timeout`.
   * Default: none.
   */
  onStatusChange?: (event: StatusChangeEvent) => void | PromiseLike<void>
  /**
   * How the probe routes appear in an OpenAPI document generated by @fastify/swagger.
   * Default: `{ hide: false, tags: ['health'] }`.
   */
  openapi?: OpenApiOptions
  /**
   * Serve the probes from a worker thread as well, on their own port, from `ready()` until the app closes, so that a
   * saturated main thread is told apart from a stuck one (see `WatchdogOptions`).
   * Default: none.
   */
  watchdog?: WatchdogOptions
}
