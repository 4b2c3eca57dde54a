import type { EntryView, OutcomeView } from '../../lib/formats/view'

const TS = 1_790_000_000.123

/** Entries of every status the formats map, a non-critical failure and an entry of the app's own state. */
export const ENTRIES: Record<string, EntryView> = {
  db: { status: 'pass', timestamp: TS, duration: 1.2345 },
  cache: { status: 'warn', output: 'hit rate 40%', observedValue: 40, observedUnit: '%', timestamp: TS, duration: 0.5 },
  queue: { status: 'fail', error: 'queue depth 9000', timestamp: TS, since: TS - 60, duration: 12 },
  api: { status: 'error', error: 'timed out after 800 ms', timestamp: TS, duration: 800 },
  search: { status: 'skipped', error: 'skipped: depends on db (error)', timestamp: TS, duration: 0 },
  mailer: { status: 'fail', error: 'SMTP 421', critical: false, timestamp: TS, duration: 3 },
  availability: { status: 'fail', error: 'maintenance', timestamp: TS, duration: 0 }
}

/** An outcome of those entries, as a route of `group` would send it. */
export function outcome (code: number, names: readonly string[] = Object.keys(ENTRIES), group = 'ready'): OutcomeView {
  const checks: Record<string, EntryView> = {}
  for (const name of names) checks[name] = ENTRIES[name]
  return {
    code,
    report: { status: code === 200 ? 'ready' : 'not_ready', timestamp: TS, checks },
    states: names.filter(name => name !== 'availability').map(name => ({ name, critical: name !== 'mailer', groups: [group, 'custom'] })),
    extra: names.includes('availability') ? ['availability'] : []
  }
}
