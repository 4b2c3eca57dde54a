import { Group } from './group'
import type { CheckState } from '../registry/check-state'
import type { Registry } from '../registry/registry'
import { FST_HEALTH_UNKNOWN_GROUP } from '../errors'
import { closest } from '../options'
import type { CheckKind } from '../types'

const BUILT_IN: readonly CheckKind[] = ['health', 'ready', 'startup']

/**
 * The groups of one registration: the three built-in ones and the custom ones the app declares. A check joins the
 * groups it lists; one that lists a group not declared yet waits for it, and `verify()` (when the app is ready)
 * names any group that never came.
 */
export class Groups {
  readonly #registry: Registry
  readonly #cacheTtl: number
  readonly #groups = new Map<string, Group>()
  /** Checks that listed a group before it was declared, by group name, with the method that added them. */
  readonly #waiting = new Map<string, Array<[CheckState, string]>>()
  readonly health: Group
  readonly ready: Group
  readonly startup: Group

  constructor (registry: Registry, cacheTtl: number) {
    this.#registry = registry
    this.#cacheTtl = cacheTtl
    this.health = this.#make('health', 'health')
    this.ready = this.#make('ready', 'ready')
    this.startup = this.#make('startup', 'startup')
  }

  get (name: string): Group | undefined {
    return this.#groups.get(name)
  }

  /** Every group, built-in ones first, then custom ones in the order they were declared. */
  get all (): Iterable<Group> {
    return this.#groups.values()
  }

  /** Declares a custom group; the checks that already listed it join it now. */
  declare (name: string): Group {
    if (this.#groups.has(name)) {
      throw new FST_HEALTH_UNKNOWN_GROUP(`group ${JSON.stringify(name)} is declared twice${BUILT_IN.includes(name as CheckKind) ? ' (it is a built-in group)' : ''}`)
    }
    const group = this.#make(name, null)
    for (const [state, method] of this.#waiting.get(name) ?? []) this.#join(group, state, method)
    this.#waiting.delete(name)
    return group
  }

  /**
   * Adds a check to its built-in group (if any) and to every custom group it lists, all or none: a duplicate name in
   * any of them throws before the check joins one.
   */
  join (state: CheckState, kind: CheckKind | null, groups: readonly string[], method: string): void {
    const now = kind === null ? [] : [this[kind]]
    const later: string[] = []
    for (const name of groups) {
      const group = this.#groups.get(name)
      if (group === undefined) {
        later.push(name)
      } else if (group.kind === null) {
        // The same check registered again in another probe lists the same groups: it is in them already.
        if (group.state(state.name) !== state) now.push(group)
      } else {
        throw new FST_HEALTH_UNKNOWN_GROUP(`${method}(${JSON.stringify(state.name)}) option "groups" lists the built-in group ${JSON.stringify(name)}; register the check with ${group.words.method}() for it`)
      }
    }
    for (const group of now) group.accepts(state, method)
    for (const group of now) this.#join(group, state, method)
    for (const name of later) {
      const waiting = this.#waiting.get(name)
      if (waiting === undefined) this.#waiting.set(name, [[state, method]])
      else waiting.push([state, method])
    }
    this.#registry.admit(state)
  }

  /** Throws for a group that a check lists and nobody declared. */
  verify (): void {
    const first = this.#waiting.entries().next()
    if (first.done === true) return
    const [name, [[state, method]]] = first.value
    {
      const declared = [...this.#groups.values()].filter(g => g.kind === null).map(g => g.name)
      const guess = closest(name, declared)
      throw new FST_HEALTH_UNKNOWN_GROUP(`${method}(${JSON.stringify(state.name)}) lists group ${JSON.stringify(name)}, which is not declared${guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`}; declare it in the plugin option "groups" or with app.health.addGroup()`)
    }
  }

  #join (group: Group, state: CheckState, method: string): void {
    // Listed twice while waiting: by the same check registered in two probes.
    if (group.state(state.name) === state) return
    group.accepts(state, method)
    group.add(state)
    state.groups.push(group.name)
  }

  #make (name: string, kind: CheckKind | null): Group {
    const group = new Group(name, kind, this.#registry, this.#cacheTtl)
    this.#groups.set(name, group)
    return group
  }
}
