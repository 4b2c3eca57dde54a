import type { CheckStatus } from './schema'

/**
 * What the dashboard formats and the status page read of an answer: the fields of the outcome a probe route sends,
 * typed structurally so that any outcome with these fields will do.
 */

/** Every status an entry can have, `skipped` included (a check not run because a check it depends on failed). */
export type EntryStatus = CheckStatus

/** One entry of a report, as the JSON answer shows it. */
export interface EntryView {
  readonly status: EntryStatus
  readonly observed?: EntryStatus
  readonly error?: string
  readonly output?: string
  readonly observedValue?: number | string | boolean
  readonly observedUnit?: string
  readonly timestamp: number
  readonly since?: number
  readonly duration: number
  readonly critical?: boolean
}

/** A registered check as the formats see it. */
export interface CheckView {
  readonly name: string
  readonly critical: boolean
  /** The groups the check is in; a check without them is in the group of the route only. */
  readonly groups?: readonly string[]
}

/** The outcome of one run, as a route sends it. */
export interface OutcomeView {
  readonly code: number
  readonly report: { readonly status: string, readonly timestamp: number, readonly checks?: Readonly<Record<string, EntryView>> }
  readonly states: readonly CheckView[]
  /** Names of the entries the app's own state added (availability, shutdown, startup, readiness). */
  readonly extra?: readonly string[]
}

/** One line of a report, in report order, with what the formats need to know about it. */
export interface Row {
  readonly name: string
  readonly entry: EntryView
  readonly critical: boolean
  readonly groups: readonly string[]
  /** An entry of the app's own state rather than a check. */
  readonly own: boolean
}

export const passing = (status: EntryStatus): boolean => status === 'pass' || status === 'warn'

/** The entries of an outcome in report order, each with its check's `critical` and groups. */
export function rows (outcome: OutcomeView, group: string): Row[] {
  // Every report the plugin builds has its checks; only a summary (no details) lacks them, and no format reads one.
  const checks = outcome.report.checks as Readonly<Record<string, EntryView>>
  const extra = outcome.extra ?? []
  const byName = new Map<string, CheckView>()
  for (const state of outcome.states) byName.set(state.name, state)
  const result: Row[] = []
  for (const name of Object.keys(checks)) {
    const entry = checks[name]
    const own = extra.includes(name)
    const state = own ? undefined : byName.get(name)
    result.push({
      name,
      entry,
      critical: state?.critical ?? entry.critical !== false,
      groups: state?.groups ?? [group],
      own
    })
  }
  return result
}

/** Sets a key of a plain object, `__proto__` included (an assignment would set the prototype instead). */
export function put (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** The facts of an entry as flat key/value pairs: what a dashboard shows under a check. */
export function facts (row: Row): Record<string, string | number | boolean> {
  const { entry } = row
  const data: Record<string, string | number | boolean> = {}
  if (entry.observedValue !== undefined) data.observedValue = entry.observedValue
  if (entry.observedUnit !== undefined) data.observedUnit = entry.observedUnit
  if (entry.output !== undefined) data.output = entry.output
  if (entry.error !== undefined) data.error = entry.error
  if (entry.observed !== undefined) data.observed = entry.observed
  if (entry.since !== undefined) data.since = new Date(entry.since * 1000).toISOString()
  data.duration = entry.duration
  if (!row.critical) data.critical = false
  return data
}
