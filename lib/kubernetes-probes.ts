import { invalid, rejectUnknownKeys } from './options'
import type { CheckKind, KubernetesProbe, KubernetesProbes } from './types'

/** What the probe settings are derived from: the app's options and its checks. */
export interface ProbeInputs {
  /** The routes' paths, prefix included. */
  readonly paths: Readonly<Record<CheckKind, string>>
  /** The longest `timeout` among the on-demand checks of each kind, in ms (0 for none). */
  readonly slowestOnDemand: Readonly<Record<CheckKind, number>>
  /** The bound on an `exposeDetails` function (it runs beside the checks), 0 without one. */
  readonly detailsTimeout: number
  /** ms between readiness turning not_ready and the app closing. */
  readonly shutdownDelay: number
  readonly closeTimeout: number
}

/** Time for the network and the answer on top of the slowest check. */
const RESPONSE_MARGIN_MS = 200
/** Time, past the delay and closeTimeout, for requests in flight to finish. */
const DRAIN_MARGIN_S = 10
/** Kubernetes' default grace period; never shorter. */
const MIN_GRACE_S = 30
/** Kubernetes' default readiness period; a shorter shutdown delay shortens it. */
const MAX_READINESS_PERIOD_S = 10
/** Start-up budget: 30 × 2 s = 60 s before the container is restarted. */
const STARTUP_PERIOD_S = 2
const STARTUP_FAILURES = 30
const LIVENESS_PERIOD_S = 10
const LIVENESS_FAILURES = 3

function port (value: unknown): number | string {
  if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535) return value as number
  // A named container port: an IANA service name (lower-case letters, digits and dashes, at most 15).
  if (typeof value === 'string' && /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(value) && !value.includes('--')) return value
  throw invalid('kubernetesProbes() option "port"', 'an integer from 1 to 65535 or a container port name such as "http"', value)
}

/**
 * The probes and grace period for the app, each by one rule:
 * - paths: the plugin's routes, with the prefix;
 * - timeoutSeconds: the slowest on-demand check of that probe (or the `exposeDetails` bound) plus 200 ms, rounded up
 *   to whole seconds, at least 1; background checks are read, not waited for;
 * - readiness: periodSeconds × failureThreshold (1) fits inside the shutdown delay (at most 10 s, at least 1 s);
 * - terminationGracePeriodSeconds: shutdown delay + closeTimeout + 10 s for requests in flight, at least 30 s;
 * - startup 30 × 2 s, liveness 3 × 10 s.
 */
export function kubernetesProbes (inputs: ProbeInputs, options: unknown): KubernetesProbes {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('kubernetesProbes() options', 'an object { port }', options)
  rejectUnknownKeys('kubernetesProbes() options', options as Record<string, unknown>, ['port'])
  const containerPort = port((options as Record<string, unknown>).port)
  const timeoutSeconds = (kind: CheckKind): number =>
    Math.max(1, Math.ceil((Math.max(inputs.slowestOnDemand[kind], inputs.detailsTimeout) + RESPONSE_MARGIN_MS) / 1000))
  const probe = (kind: CheckKind, periodSeconds: number, failureThreshold: number): KubernetesProbe => ({
    httpGet: { path: inputs.paths[kind], port: containerPort },
    periodSeconds,
    timeoutSeconds: timeoutSeconds(kind),
    failureThreshold
  })
  const readinessPeriod = Math.min(MAX_READINESS_PERIOD_S, Math.max(1, Math.floor(inputs.shutdownDelay / 1000)))
  return {
    startupProbe: probe('startup', STARTUP_PERIOD_S, STARTUP_FAILURES),
    livenessProbe: probe('health', LIVENESS_PERIOD_S, LIVENESS_FAILURES),
    readinessProbe: { ...probe('ready', readinessPeriod, 1), successThreshold: 1 },
    terminationGracePeriodSeconds: Math.max(MIN_GRACE_S, Math.ceil((inputs.shutdownDelay + inputs.closeTimeout) / 1000) + DRAIN_MARGIN_S)
  }
}
