import type * as Otel from '@opentelemetry/api'
import { invalid, rejectUnknownKeys } from '../options'
import type { MetricsOptions } from '../types'
import { loadPeer } from './peer'
import { type HealthSource, passing } from './source'

/** The instruments' names, in OpenTelemetry's style (Prometheus shows them with `_` for `.`). */
export const INSTRUMENTS = {
  checkStatus: 'health.check.status',
  groupStatus: 'health.group.status',
  runs: 'health.check.runs',
  duration: 'health.check.duration'
} as const

/** The attributes' names. */
export const ATTRIBUTES = {
  check: 'health.check.name',
  groups: 'health.check.groups',
  critical: 'health.check.critical',
  outcome: 'health.check.outcome',
  group: 'health.group.name'
} as const

// Most checks answer within milliseconds; the plugin's default timeout is 0.8 s.
const BOUNDARIES = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function meterProvider (value: unknown): Otel.MeterProvider | undefined {
  if (value === true) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('option "metrics"', 'a boolean or an object { meterProvider }', value)
  rejectUnknownKeys('option "metrics"', value as Record<string, unknown>, ['meterProvider'])
  const provider = (value as MetricsOptions).meterProvider
  if (provider === undefined) return undefined
  if (typeof provider !== 'object' || provider === null || typeof (provider as { getMeter?: unknown }).getMeter !== 'function') {
    throw invalid('option "metrics.meterProvider"', 'an OpenTelemetry MeterProvider (an object with getMeter())', provider)
  }
  return provider as Otel.MeterProvider
}

/**
 * Creates the instruments of option `metrics` on the given MeterProvider (or the global one):
 * - `health.check.status`, a gauge per check: 1 while it passes (pass, warn), 0 while it does not; read from each
 *   check's latest result when the metrics are collected, so that collecting never runs a check;
 * - `health.group.status`, a gauge per group: 1 while the group's route would answer 200, 0 while it would answer 503;
 * - `health.check.runs`, a counter of runs by outcome, and `health.check.duration`, their durations in seconds.
 * `@opentelemetry/api` is loaded here, when the option is set, and not before.
 */
export function installMetrics (source: HealthSource, option: unknown): void {
  const provided = meterProvider(option)
  const api = loadPeer<typeof Otel>('@opentelemetry/api', 'option "metrics"')
  const meter = (provided ?? api.metrics.getMeterProvider()).getMeter('fastify-health')
  const checkStatus = meter.createObservableGauge(INSTRUMENTS.checkStatus, {
    description: 'Whether a health check passes (1) or not (0), from its latest result',
    unit: '1',
    valueType: api.ValueType.INT
  })
  const groupStatus = meter.createObservableGauge(INSTRUMENTS.groupStatus, {
    description: 'Whether a group of health checks passes (1) or not (0)',
    unit: '1',
    valueType: api.ValueType.INT
  })
  const runs = meter.createCounter(INSTRUMENTS.runs, { description: 'Runs of health checks, by outcome', unit: '{run}', valueType: api.ValueType.INT })
  const duration = meter.createHistogram(INSTRUMENTS.duration, {
    description: 'Duration of health check runs',
    unit: 's',
    advice: { explicitBucketBoundaries: BOUNDARIES }
  })

  const observeChecks = (result: Otel.ObservableResult): void => {
    for (const check of source.checks()) {
      if (check.status === null) continue
      result.observe(passing(check.status) ? 1 : 0, {
        [ATTRIBUTES.check]: check.name,
        [ATTRIBUTES.groups]: check.groups.join(','),
        [ATTRIBUTES.critical]: check.critical
      })
    }
  }
  const observeGroups = (result: Otel.ObservableResult): void => {
    for (const group of source.groups()) {
      const status = source.groupStatus(group)
      if (status !== null) result.observe(status ? 1 : 0, { [ATTRIBUTES.group]: group })
    }
  }
  checkStatus.addCallback(observeChecks)
  groupStatus.addCallback(observeGroups)
  const unsubscribe = source.onObservation(({ check, outcome, duration: ms }) => {
    const attributes = { [ATTRIBUTES.check]: check.name, [ATTRIBUTES.groups]: check.groups.join(','), [ATTRIBUTES.outcome]: outcome }
    runs.add(1, attributes)
    duration.record(ms / 1000, attributes)
  })
  // A closed app reports nothing more, and its state is not kept alive by the provider.
  source.onClose(() => {
    unsubscribe()
    checkStatus.removeCallback(observeChecks)
    groupStatus.removeCallback(observeGroups)
  })
}
