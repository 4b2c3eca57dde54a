import type { FastifyRequest, LogLevel } from 'fastify'
import type { CheckStatus, HealthReport, ReadyReport, StartupReport } from './formats/schema'

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
  /**
   * Custom groups the check also belongs to, each declared in the plugin option `groups` or with
   * `app.health.addGroup()` (an undeclared one fails `app.ready()`). A check runs once however many groups read it.
   * Required, and non-empty, for `app.addCheck()`.
   * Default: none.
   */
  groups?: string[]
  /**
   * Names of checks this one needs. An evaluation waits for their results first; while any of them is not passing
   * (`fail`, `error`, `skipped`), this check is not called and reads `skipped` ("skipped: depends on db (error)"),
   * which counts as not passing but neither towards its thresholds nor as a status change. Each name must name one
   * check; cycles fail `app.ready()`.
   * Default: none.
   */
  dependsOn?: string[]
  /**
   * `'fleet'`: every instance shares what this check watches (a database, a third-party API), so taking this instance
   * out of rotation or restarting it cannot help. While it fails, liveness and readiness keep their status as if it
   * were non-critical, its entry says `"impact":"fleet"`, and routes that require it (`config.health.requires`)
   * answer 503. `'instance'`: a failure is this instance's own.
   * Default: `'instance'`.
   */
  impact?: CheckImpact
  /**
   * With `impact: 'fleet'`: after failing for longer than this many ms the check counts as critical again (the
   * dependency may be fine and this instance cut off from it).
   * Default: none (never critical while it fails).
   */
  fleetGrace?: number
}

/** Who shares a check's dependency: this instance alone (`instance`) or every instance (`fleet`). */
export type CheckImpact = 'instance' | 'fleet'

/** `config.health` of a route: the checks it needs. */
export interface RouteHealthConfig {
  /**
   * Names of checks this route needs, of any kind (liveness, readiness, startup or group-only). While the effective
   * status of one of them is neither `pass` nor `warn` (`fail`, `error`, `skipped`), the route answers 503 with
   * `Retry-After` before its handler runs, through the app's error handling (`FST_HEALTH_DEPENDENCY_UNAVAILABLE`).
   * The route reads the checks' latest results: it never runs a check or waits, and a check without a result yet lets
   * requests through. A name that is not registered fails `app.ready()`.
   */
  requires: readonly string[]
  /**
   * Seconds for `Retry-After` when a failing required check runs on demand (has no `interval`). A positive number,
   * rounded up to whole seconds.
   * Default: `5`.
   */
  retryAfter?: number
}

/** Options of `app.health.kubernetesProbes()`. */
export interface KubernetesProbesOptions {
  /** The container port (a number) or its name, as the probes' `httpGet.port`. Required. */
  port: number | string
}

/** One probe of a Kubernetes container, as `kubernetesProbes()` returns it. */
export interface KubernetesProbe {
  httpGet: { path: string, port: number | string }
  periodSeconds: number
  timeoutSeconds: number
  failureThreshold: number
  successThreshold?: number
}

/** The probes and grace period that fit the app's options, to copy into a container spec. */
export interface KubernetesProbes {
  startupProbe: KubernetesProbe
  livenessProbe: KubernetesProbe
  readinessProbe: KubernetesProbe
  terminationGracePeriodSeconds: number
}

/** A custom group's options: the plugin option `groups`, or `app.health.addGroup(name, options)`. */
export interface GroupOptions {
  /**
   * Path of the group's route. A static path starting with `/`.
   * Default: `{path}/group/{name}` (`/health/group/payments`).
   */
  path?: string
  /**
   * Whether the group's route lists its checks; as the plugin option of that name.
   * Default: the plugin's `exposeDetails`.
   */
  exposeDetails?: boolean | ((request: FastifyRequest) => boolean | Promise<boolean>)
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
  /**
   * The built-in group the check joined first: liveness (`health`), readiness (`ready`) or startup (`startup`);
   * `custom` for a check that is in custom groups only.
   */
  kind: CheckKind | 'custom'
  /** Every group the check is in, built-in and custom. */
  groups: readonly string[]
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
  /**
   * Resolves once the startup latch closes: every startup check passed in one run (or the app is ready, without any).
   * Rejects with `FST_HEALTH_CLOSED_BEFORE_STARTED` when the app closes first.
   */
  whenStarted: () => Promise<void>
  /**
   * The graceful sequence, for any signal handler: readiness turns `not_ready` (with a `shutdown` entry) at once,
   * the app closes after `delay` ms, and the promise resolves when it has closed. Later calls return the same promise.
   * Once the app is closing or closed, there is no delay.
   */
  shutdown: (options?: ShutdownOptions) => Promise<void>
  /**
   * Declares a custom group before the app is ready: a route at `options.path` (default `{path}/group/{name}`) that
   * reports the checks listing `name` in their `groups` option. Names: letters, digits, `_`, `-`, `.`.
   */
  addGroup: (name: string, options?: GroupOptions) => void
  /**
   * The report the route of a group would send: `'health'`, `'ready'`, `'startup'` or a custom group's name. Shares
   * runs in progress and cached results with the routes; rejects for an unknown group.
   */
  run: (group: string) => Promise<HealthReport | ReadyReport | StartupReport>
  /**
   * Probe settings derived from the app's options and the checks registered so far (call it after adding them):
   * paths with the prefix, `timeoutSeconds` above the slowest on-demand check of each probe, a readiness period that
   * fits inside the shutdown delay, and a `terminationGracePeriodSeconds` that covers the delay and `closeTimeout`.
   */
  kubernetesProbes: (options: KubernetesProbesOptions) => KubernetesProbes
  /**
   * The recent history of the check `name` (the first registered under that name, should different functions share
   * it), as `GET {path}/{name}?history` answers it; `undefined` for an unknown name. The routes show it only to
   * requests that may see details; this call is the app's own and always answers.
   */
  history: (name: string) => CheckHistory | undefined
  /**
   * Calls `publish(report, context)` with the report of a group every `interval` ms from the moment the app is
   * ready, and once more with `final: true` when it closes. Throws FST_HEALTH_INVALID_OPTION for bad options.
   */
  addPublisher: (publish: Publisher, options: PublisherOptions) => void
}

/** One change of a check's effective status, as its history keeps it. */
export interface StatusChangeRecord {
  /** The status it changed to: its effective status, or `skipped` while a check it depends on keeps it from running. */
  status: CheckStatus
  /** The status before, or `null` for the check's first result. */
  previous: CheckStatus | null
  /** When, in seconds since the epoch. */
  timestamp: number
  /** The error text, when the check failed or errored. */
  error?: string
}

/** A check's recent history: `GET {path}/{name}?history` and `app.health.history(name)`. */
export interface CheckHistory {
  name: string
  /** Its effective status now, or `null` before its first result. */
  status: CheckStatus | null
  /** Since when it has had that status, in seconds since the epoch; `null` before its first result. */
  since: number | null
  /**
   * The fraction of the last hour and of the last day spent in `pass` or `warn`, from the changes kept (time before
   * the oldest of them does not count); `null` before the first result.
   */
  uptime: { '1h': number | null, '24h': number | null }
  /** The last 50 changes, oldest first. */
  changes: StatusChangeRecord[]
}

/** Options of the status page (`statusPage`). */
export interface StatusPageOptions {
  /**
   * Seconds between the page's reloads. A positive integer.
   * Default: `10`.
   */
  refresh?: number
}

/** The report a publisher gets: what the group's route would send. */
export type PublishedReport = HealthReport | ReadyReport | StartupReport

/** The second argument of a publisher. */
export interface PublishContext {
  /** Aborted when the publisher runs out of time (`timeout`). */
  readonly signal: AbortSignal
  /** The report of the last publish that succeeded, or undefined before the first. */
  readonly previous: PublishedReport | undefined
  /** True for the last publish, when the app closes. */
  readonly final: boolean
  /** The group the report is of. */
  readonly group: string
  /** Whether the group passes (its route would answer 200). */
  readonly passing: boolean
}

/**
 * Sends a report somewhere (a Pushgateway, a heartbeat URL, a log). May be async. What it throws or rejects with is
 * logged, and the next publish backs off.
 */
export type Publisher = (report: PublishedReport, context: PublishContext) => unknown

/** Options of `app.health.addPublisher()`. */
export interface PublisherOptions {
  /**
   * Milliseconds between publishes. While publishing fails, the delay doubles on each failure, up to 10 × `interval`.
   * Required; a positive number.
   */
  interval: number
  /**
   * The group whose report is published: `'health'`, `'ready'`, `'startup'` or a custom group's name.
   * Default: `'ready'`.
   */
  group?: string
  /**
   * Time limit of one publish in ms: past it, its signal is aborted and it counts as failed.
   * Default: `interval`, at most 30000.
   */
  timeout?: number
  /**
   * Publish only when the group's status or a check's status differs from the last publish that succeeded (the final
   * publish is always sent).
   * Default: `false`.
   */
  onlyOnChange?: boolean
}

/** A MeterProvider of OpenTelemetry, as far as the plugin uses it (`@opentelemetry/api`'s satisfies it). */
export interface MeterProviderLike {
  getMeter: (name: string, version?: string, options?: object) => unknown
}

/** Options of `metrics`. */
export interface MetricsOptions {
  /**
   * Where the instruments are created.
   * Default: the global one, `metrics.getMeterProvider()` of `@opentelemetry/api`.
   */
  meterProvider?: MeterProviderLike
}

/** Options of `openapi`. */
export interface OpenApiOptions {
  /**
   * Hide the probe routes and their per-check routes from the document that @fastify/swagger generates.
   * Default: `false`.
   */
  hide?: boolean
  /**
   * Tags of the probe routes and their per-check routes in the document.
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
   * Custom groups, by name: each gets a route (`path`, default `{path}/group/{name}`) reporting the checks that list
   * the group in their `groups` option. More can be declared with `app.health.addGroup()`.
   * Default: none.
   */
  groups?: Record<string, GroupOptions>
  /**
   * Whether every probe and group route has a route per check, `{path}/{name}`, answering for that check alone.
   * Turn it off when the app has routes of its own there (`GET /health/:id`).
   * Default: `true`.
   */
  checkRoutes?: boolean
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
   * Log level of the probe routes (liveness, readiness, startup) and their per-check routes. The default keeps a
   * probe's request and response lines (Fastify logs them at `info`) out of the logs while keeping warnings and errors.
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
   * Answer a browser (a request whose `Accept` prefers `text/html`) on the probe routes with a status page: every
   * check with its status, since when, duration, error or output, observed value, uptime and recent changes; the same
   * status code as the JSON answer; no script and no external resource; it reloads itself. Without details for the
   * request, the status word only. `true` takes the defaults.
   * Default: `false` (a browser gets the JSON answer).
   */
  statusPage?: boolean | StatusPageOptions
  /**
   * How the probe routes appear in an OpenAPI document generated by @fastify/swagger.
   * Default: `{ hide: false, tags: ['health'] }`.
   */
  openapi?: OpenApiOptions
  /**
   * OpenTelemetry metrics through `@opentelemetry/api` (an optional peer dependency, loaded only when this is set):
   * a status gauge per check and per group, a run counter and a run-duration histogram. `true` uses the global
   * MeterProvider.
   * Default: `false`.
   */
  metrics?: boolean | MetricsOptions
  /**
   * Serve the probes from a worker thread as well, on their own port, from `ready()` until the app closes, so that a
   * saturated main thread is told apart from a stuck one (see `WatchdogOptions`).
   * Default: none.
   */
  watchdog?: WatchdogOptions
}
