import type { FastifyRequest, LogLevel } from 'fastify'
import type { CheckStatus } from './schema'

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
}

/** The kind of a check or a route: liveness (`health`) or readiness (`ready`). */
export type CheckKind = 'health' | 'ready'

/** Passed to `onStatusChange` and logged, once each time a check's status changes. */
export interface StatusChangeEvent {
  /** The check's name. */
  name: string
  /** Whether it is a liveness (`health`) or a readiness (`ready`) check. */
  kind: CheckKind
  /** Its status in the run before, or `null` on its first run. */
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

/** Options of the plugin, passed to `app.register(healthPlugin, options)`. */
export interface HealthPluginOptions {
  /**
   * Path of the liveness endpoint. A string starting with `/`, different from `readyPath`.
   * Default: `'/health'`.
   */
  path?: string
  /**
   * Path of the readiness endpoint. A string starting with `/`, different from `path`.
   * Default: `'/health/ready'`.
   */
  readyPath?: string
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
   * Whether responses list the checks (names, statuses, error texts). When `false`, or when the function returns
   * `false` for a request, the body is `{"status","timestamp"}` only; the status code does not change.
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
   * Turn readiness to `not_ready` on SIGTERM, wait `delay` ms, close the app, then let the signal end the process.
   * `true` takes the defaults.
   * Default: `false`.
   */
  gracefulShutdown?: boolean | GracefulShutdownOptions
  /**
   * Called once each time a check's status changes (and on a check's first run), for metrics and alerting. It must
   * not throw; an error it throws is logged and otherwise ignored.
   * Default: none.
   */
  onStatusChange?: (event: StatusChangeEvent) => void
  /**
   * How the probe routes appear in an OpenAPI document generated by @fastify/swagger.
   * Default: `{ hide: false, tags: ['health'] }`.
   */
  openapi?: OpenApiOptions
}
