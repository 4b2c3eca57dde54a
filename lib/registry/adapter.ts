import type { CheckSet } from '../check-set'
import type { CheckState } from '../check-state'
import type { CheckStatus } from '../formats/schema'
import type { GateSource, GateTarget } from '../http/gate'
import type { ProbeInputs } from '../kubernetes-probes'
import type { LintedCheck } from '../liveness-lint'
import type { NormalisedOptions } from '../options'
import type { CheckKind } from '../types'

/**
 * The one place where the route gate, the liveness lint and kubernetesProbes() read the check sets: each of them
 * works on its own narrow view, built here from CheckSet and CheckState.
 */

type Sets = Record<CheckKind, CheckSet>

const KINDS: readonly CheckKind[] = ['health', 'ready', 'startup']
const passing = (status: CheckStatus | null): boolean => status === null || status === 'pass' || status === 'warn'

/** ms to a background check's next run, or null when none is scheduled (on demand, stopped, closing). */
function nextRunIn (state: CheckState, now: number): number | null {
  if (state.timer === undefined) return null
  return state.lastTick + state.delay - now
}

/**
 * One name may be a check of several kinds: the gate sees them as one, failing while any of them fails, and
 * retrying after the latest of the failing ones' next runs.
 */
function target (name: string, states: readonly CheckState[]): GateTarget {
  if (states.length === 1) {
    const state = states[0]
    return {
      name,
      background: state.interval !== null,
      status: () => state.effective,
      retryAfterMs: now => nextRunIn(state, now)
    }
  }
  return {
    name,
    background: states.every(state => state.interval !== null),
    status: () => {
      let status: CheckStatus | null = null
      for (const state of states) {
        if (!passing(state.effective)) return state.effective
        status ??= state.effective
      }
      return status
    },
    retryAfterMs: now => {
      let latest: number | null = null
      for (const state of states) {
        if (passing(state.effective)) continue
        const ms = nextRunIn(state, now)
        if (ms === null) return null
        latest = Math.max(latest ?? ms, ms)
      }
      return latest
    }
  }
}

export function gateSource (sets: Sets): GateSource {
  const statesOf = (name: string): CheckState[] => KINDS.map(kind => sets[kind].state(name)).filter(state => state !== undefined)
  return {
    lookup: name => {
      const states = statesOf(name)
      return states.length === 0 ? undefined : target(name, states)
    },
    names: () => KINDS.flatMap(kind => sets[kind].states.map(state => state.name))
  }
}

export function livenessChecks (sets: Sets): readonly LintedCheck[] {
  return sets.health.states
}

export function probeInputs (sets: Sets, opts: NormalisedOptions, shutdownDelay: number): ProbeInputs {
  const slowest = (kind: CheckKind): number => {
    let ms = 0
    for (const state of sets[kind].states) if (state.interval === null) ms = Math.max(ms, state.timeout)
    return ms
  }
  return {
    paths: { health: opts.path, ready: opts.readyPath, startup: opts.startupPath },
    slowestOnDemand: { health: slowest('health'), ready: slowest('ready'), startup: slowest('startup') },
    detailsTimeout: typeof opts.exposeDetails === 'function' ? opts.timeout : 0,
    shutdownDelay,
    closeTimeout: opts.closeTimeout
  }
}
