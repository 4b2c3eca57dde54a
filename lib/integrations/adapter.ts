import { performance } from 'node:perf_hooks'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { FST_HEALTH_INVALID_OPTION, FST_HEALTH_UNKNOWN_GROUP } from '../errors'
import type { CheckResult, CheckStatus } from '../formats/schema'
import { internals, type Internals } from '../internals'
import type { CheckState } from '../registry/check-state'
import { type CheckView, type HealthSource, type Observation, passing, type RunResult } from './source'

/**
 * The one place that maps the plugin's internals onto `HealthSource`: the registry's check states and listeners,
 * the groups, the availability overlays (`answer`, `verdict`) and the status log's listeners for the app's own
 * changes, its shutdown and its close.
 */
const sources = new WeakMap<Internals, HealthSource>()

/** The source of an app the plugin is registered on; throws when it is not. */
export function sourceOf (app: FastifyInstance, subject: string): HealthSource {
  if (typeof app !== 'object' || app === null) {
    throw new FST_HEALTH_INVALID_OPTION(`${subject} needs a Fastify instance with fastify-health registered (await app.register(healthPlugin) first)`)
  }
  return healthSource(internals(app), app.log)
}

/** The source over one registration's internals, made once. */
export function healthSource (inner: Internals, log: FastifyBaseLogger): HealthSource {
  let source = sources.get(inner)
  if (source === undefined) {
    source = build(inner, log)
    sources.set(inner, source)
  }
  return source
}

/** The status as reports show it now: skipped while a dependency holds it, stale background results as errors. */
function statusOf (state: CheckState, now: number): CheckStatus | null {
  if (state.skipped !== undefined) return 'skipped'
  if (state.entry === undefined) return null
  return state.interval === null ? state.effective : state.current(now).status
}

const view = (state: CheckState, now: number): CheckView =>
  ({ name: state.name, groups: state.groups, critical: state.critical, status: statusOf(state, now) })

function outcomeOf (state: CheckState, result: CheckResult): RunResult {
  return result.status === 'error' && result.error === state.timeoutMessage ? 'timeout' : result.status
}

function build ({ registry, groups, availability, opts, statusLog }: Internals, log: FastifyBaseLogger): HealthSource {
  let closed = false
  statusLog.listen({ close: () => { closed = true } })
  // Status changes, the app's own and the shutdown included, and skipped evaluations (which are no status change,
  // yet a group with a skipped check does not pass): one subscription each, shared by every listener.
  const changeListeners = new Set<() => void>()
  // On a later microtask: the app's own votes report their change before they take effect.
  const changed = (): void => { queueMicrotask(() => { for (const listener of changeListeners) listener() }) }
  let subscribed = false
  const subscribe = (): void => {
    subscribed = true
    statusLog.listen({ change: changed, shutdown: changed })
    registry.onObservation((_state, entry) => { if (entry.status === 'skipped' && changeListeners.size > 0) changed() })
  }
  return {
    log,
    timeout: opts.timeout,
    checks () {
      const now = performance.now()
      return registry.states.map(state => view(state, now))
    },
    groups: () => Array.from(groups.all, group => group.name),
    groupStatus (name) {
      const group = groups.get(name)
      if (group === undefined) return null
      const verdict = availability.verdict(group.kind)
      if (verdict !== null) return verdict === 'pass'
      const now = performance.now()
      let known = true
      for (const state of group.states) {
        if (!state.critical) continue
        const status = statusOf(state, now)
        if (status === null) known = false
        else if (!passing(status)) return false
      }
      return known ? true : null
    },
    async report (name) {
      const group = groups.get(name)
      if (group === undefined) throw new FST_HEALTH_UNKNOWN_GROUP(`unknown group ${JSON.stringify(name)}`)
      const outcome = await availability.answer(group)
      return { passing: outcome.code === 200, report: outcome.report }
    },
    onChange (listener) {
      if (!subscribed) subscribe()
      changeListeners.add(listener)
      return () => { changeListeners.delete(listener) }
    },
    onObservation (listener) {
      // The registry keeps its listeners for good: this one goes quiet once the app closes or it is unsubscribed.
      let active = true
      registry.onObservation((state, result) => {
        if (!active || closed) return
        const observation: Observation = { check: view(state, performance.now()), outcome: outcomeOf(state, result), duration: result.duration }
        listener(observation)
      })
      return () => { active = false }
    },
    onClose (listener) {
      return statusLog.listen({ close: listener })
    }
  }
}
