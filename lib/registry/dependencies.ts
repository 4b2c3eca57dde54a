import { FST_HEALTH_INVALID_DEPENDENCY } from '../errors'
import { closest } from '../options'
import type { CheckResult, CheckStatus } from '../formats/schema'
import type { CheckState } from './check-state'

interface Lookup {
  readonly states: readonly CheckState[]
  byName: (name: string) => readonly CheckState[]
}

const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'

const where = (state: CheckState): string => `check ${JSON.stringify(state.name)} (${state.groups.join(', ')})`

/**
 * Resolves the `dependsOn` names of `states` into the checks they name. A name must name exactly one check (a name
 * used by different functions in different groups is ambiguous), and the dependencies must not form a cycle.
 */
export function resolveDependencies (registry: Lookup, states: readonly CheckState[]): void {
  for (const state of states) {
    if (state.dependsOn.length === 0) continue
    const dependencies: CheckState[] = []
    for (const name of state.dependsOn) {
      const named = registry.byName(name)
      if (named.length === 0) {
        const guess = closest(name, [...new Set(registry.states.map(s => s.name))])
        throw new FST_HEALTH_INVALID_DEPENDENCY(`${where(state)} option "dependsOn" names ${JSON.stringify(name)}, which no check has${guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`}`)
      }
      if (named.length > 1) {
        throw new FST_HEALTH_INVALID_DEPENDENCY(`${where(state)} option "dependsOn" names ${JSON.stringify(name)}, which names ${named.length} different checks (${named.map(s => s.groups.join('/')).join(' and ')}); give them different names`)
      }
      dependencies.push(named[0])
    }
    state.dependencies = dependencies
  }
  for (const state of states) {
    const chain = cycleFrom(state, [])
    if (chain !== undefined) {
      throw new FST_HEALTH_INVALID_DEPENDENCY(`checks depend on each other in a cycle: ${chain.map(s => s.name).join(' → ')}`)
    }
  }
}

// Depth-first; the chains are as long as the user's dependency chains, a handful of checks.
function cycleFrom (state: CheckState, path: CheckState[]): CheckState[] | undefined {
  const at = path.indexOf(state)
  if (at >= 0) return [...path.slice(at), state]
  if (state.dependencies === null) return undefined
  path.push(state)
  for (const dependency of state.dependencies) {
    const chain = cycleFrom(dependency, path)
    if (chain !== undefined) return chain
  }
  path.pop()
  return undefined
}

/**
 * The entry of a check that is not called because a dependency is not passing (`fail`, `error` or `skipped`; `warn`
 * passes), or undefined when every dependency passes.
 */
export function skippedBy (state: CheckState): CheckResult | undefined {
  let reasons: string | undefined
  for (const dependency of state.dependencies as CheckState[]) {
    // Evaluated before this is called: a dependency always has a result here.
    const status = dependency.status as CheckStatus
    if (passing(status)) continue
    const reason = `${dependency.name} (${status})`
    reasons = reasons === undefined ? reason : `${reasons}, ${reason}`
  }
  if (reasons === undefined) return undefined
  const entry: CheckResult = { status: 'skipped', error: `skipped: depends on ${reasons}`, timestamp: Date.now() / 1000, duration: 0 }
  if (!state.critical) entry.critical = false
  return entry
}
