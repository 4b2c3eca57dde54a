import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { CheckState } from '../check-state'
import { FST_HEALTH_INVALID_OPTION } from '../errors'
import type { CheckResult, CheckStatus } from '../formats/schema'
import { internals, type Internals } from '../internals'
import type { CheckKind } from '../types'
import { type CheckView, type HealthSource, type Observation, passing, type RunOutcome } from './source'

/**
 * The one place that maps the plugin's internals onto `HealthSource`: the check sets of the three kinds (each kind
 * is a group), the availability overlays and the status log's listeners.
 */
const GROUPS: readonly CheckKind[] = ['health', 'ready', 'startup']

const sources = new WeakMap<Internals, HealthSource>()

/** The source of an app the plugin is registered on; throws when it is not. */
export function sourceOf (app: FastifyInstance, subject: string): HealthSource {
  const inner = typeof app === 'object' && app !== null ? internals(app) : undefined
  if (inner === undefined) {
    throw new FST_HEALTH_INVALID_OPTION(`${subject} needs a Fastify instance with fastify-health registered (await app.register(healthPlugin) first)`)
  }
  return healthSource(inner)
}

/** The source over one registration's internals, made once. */
export function healthSource (inner: Internals): HealthSource {
  let source = sources.get(inner)
  if (source === undefined) {
    source = build(inner)
    sources.set(inner, source)
  }
  return source
}

const isKind = (group: string): group is CheckKind => (GROUPS as readonly string[]).includes(group)

function statusOf (state: CheckState, now: number): CheckStatus | null {
  if (state.entry === undefined) return null
  // A background result past `staleAfter` is reported as an error: so is it here.
  return state.interval === null ? state.effective : state.current(now).status
}

const view = (state: CheckState, now: number): CheckView =>
  ({ name: state.name, groups: [state.kind], critical: state.critical, status: statusOf(state, now) })

function outcomeOf (state: CheckState, result: CheckResult): RunOutcome {
  return result.status === 'error' && result.error === state.timeoutMessage ? 'timeout' : result.status
}

function build ({ sets, availability, statusLog, opts, log }: Internals): HealthSource {
  return {
    log,
    timeout: opts.timeout,
    checks () {
      const now = performance.now()
      const views: CheckView[] = []
      for (const kind of GROUPS) for (const state of sets[kind].states) views.push(view(state, now))
      return views
    },
    groups: () => GROUPS,
    groupStatus (group) {
      if (!isKind(group)) return null
      const verdict = availability.verdict(group)
      if (verdict !== null) return verdict === 'pass'
      const now = performance.now()
      let known = true
      for (const state of sets[group].states) {
        if (!state.critical) continue
        const status = statusOf(state, now)
        if (status === null) known = false
        else if (!passing(status)) return false
      }
      return known ? true : null
    },
    async report (group) {
      if (!isKind(group)) throw new FST_HEALTH_INVALID_OPTION(`unknown group ${JSON.stringify(group)}; known groups: ${GROUPS.join(', ')}`)
      const outcome = await availability.answer(group)
      return { passing: outcome.code === 200, report: outcome.report }
    },
    onChange (listener) {
      // On a later microtask: the app's own votes report their change before they take effect.
      const later = (): void => { queueMicrotask(listener) }
      return statusLog.listen({ change: later, shutdown: later })
    },
    onObservation (listener) {
      return statusLog.listen({
        observe (state, result) {
          const observation: Observation = { check: view(state, performance.now()), outcome: outcomeOf(state, result), duration: result.duration }
          listener(observation)
        }
      })
    },
    onClose (listener) {
      return statusLog.listen({ close: listener })
    }
  }
}
