import type { CheckStatus } from '../formats/schema'
import type { Groups } from '../groups/groups'
import type { GateSource, GateTarget } from '../http/gate'
import type { ProbeInputs } from '../kubernetes-probes'
import type { LintedCheck } from '../liveness-lint'
import type { NormalisedOptions } from '../options'
import type { CheckState } from './check-state'
import type { Registry } from './registry'

/**
 * The one place where the route gate, the liveness lint and kubernetesProbes() read the registry and the groups:
 * each of them works on its own narrow view, built here.
 */

const passing = (status: CheckStatus | null): boolean => status === null || status === 'pass' || status === 'warn'

/** ms to a background check's next run, or null when none is scheduled (on demand, retired, closing). */
function nextRunIn (state: CheckState, now: number): number | null {
  const at = state.nextRunAt()
  return at === null ? null : at - now
}

/**
 * One name is several checks only when different functions share it in different groups: the gate sees them as one,
 * failing while any of them fails, and retrying after the latest of the failing ones' next runs.
 */
function target (name: string, states: readonly CheckState[]): GateTarget {
  if (states.length === 1) {
    const state = states[0]
    return {
      name,
      background: state.interval !== null,
      status: () => state.status,
      retryAfterMs: now => nextRunIn(state, now)
    }
  }
  return {
    name,
    background: states.every(state => state.interval !== null),
    status: () => {
      let status: CheckStatus | null = null
      for (const state of states) {
        if (!passing(state.status)) return state.status
        status ??= state.status
      }
      return status
    },
    retryAfterMs: now => {
      let latest: number | null = null
      for (const state of states) {
        if (passing(state.status)) continue
        const ms = nextRunIn(state, now)
        if (ms === null) return null
        latest = Math.max(latest ?? ms, ms)
      }
      return latest
    }
  }
}

/** Every check of the registry by name: liveness, readiness, startup and group-only checks alike. */
export function gateSource (registry: Registry): GateSource {
  return {
    lookup: name => {
      const states = registry.byName(name)
      return states.length === 0 ? undefined : target(name, states)
    },
    names: () => registry.states.map(state => state.name)
  }
}

export function livenessChecks (groups: Groups): readonly LintedCheck[] {
  return groups.health.states
}

export function probeInputs (groups: Groups, opts: NormalisedOptions, shutdownDelay: number): ProbeInputs {
  const slowest = (states: readonly CheckState[]): number => {
    let ms = 0
    for (const state of states) if (state.interval === null) ms = Math.max(ms, state.timeout)
    return ms
  }
  return {
    paths: { health: opts.path, ready: opts.readyPath, startup: opts.startupPath },
    slowestOnDemand: { health: slowest(groups.health.states), ready: slowest(groups.ready.states), startup: slowest(groups.startup.states) },
    detailsTimeout: typeof opts.exposeDetails === 'function' ? opts.timeout : 0,
    shutdownDelay,
    closeTimeout: opts.closeTimeout
  }
}
