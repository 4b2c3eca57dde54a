import { type EntryStatus, passing } from '../formats/view'

/** How many status changes a check's history keeps. */
export const HISTORY_SIZE = 50

export const HOUR = 3_600_000
export const DAY = 24 * HOUR

/** One change of a check's effective status. */
export interface StatusChange {
  readonly status: EntryStatus
  /** The status before, or null for the check's first result. */
  readonly previous: EntryStatus | null
  /** When it changed, in seconds since the epoch. */
  readonly timestamp: number
  readonly error?: string
}

/** Fraction of the time in `pass` or `warn`; null before there is data. */
export interface Uptime {
  readonly '1h': number | null
  readonly '24h': number | null
}

/** What `?history` and `app.health.history()` answer for a check. */
export interface HistoryAnswer {
  readonly name: string
  readonly status: EntryStatus | null
  /** Since when the check has had `status`, in seconds since the epoch; null before its first result. */
  readonly since: number | null
  readonly uptime: Uptime
  /** The last HISTORY_SIZE changes, oldest first. */
  readonly changes: StatusChange[]
}

/**
 * The recent status changes of one check, in a ring of fixed size, and its uptime computed from them. It reads the
 * time from the clock it is given (milliseconds since the epoch), so that tests drive it.
 */
export class History {
  readonly #ring: Array<StatusChange | undefined>
  readonly #now: () => number
  /** Where the next change goes. */
  #next = 0
  #count = 0

  constructor (now: () => number, size = HISTORY_SIZE) {
    this.#now = now
    this.#ring = new Array<StatusChange | undefined>(size).fill(undefined)
  }

  record (status: EntryStatus, previous: EntryStatus | null, timestamp: number, error?: string): void {
    this.#ring[this.#next] = error === undefined ? { status, previous, timestamp } : { status, previous, timestamp, error }
    this.#next = (this.#next + 1) % this.#ring.length
    if (this.#count < this.#ring.length) this.#count++
  }

  /** The latest change, if any. */
  get latest (): StatusChange | undefined {
    return this.#count === 0 ? undefined : this.#ring[(this.#next - 1 + this.#ring.length) % this.#ring.length]
  }

  /** The changes kept, oldest first. */
  changes (): StatusChange[] {
    const size = this.#ring.length
    const start = (this.#next - this.#count + size) % size
    const list: StatusChange[] = []
    for (let i = 0; i < this.#count; i++) list.push(this.#ring[(start + i) % size] as StatusChange)
    return list
  }

  /**
   * The fraction of the last `window` ms that the check spent in `pass` or `warn`. Only time the changes kept account
   * for counts: from the oldest change kept (its status before is known, but not since when) to now. At the very
   * moment of the first change, that is the current status (1 or 0); before any change, null.
   */
  uptime (window: number, now = this.#now()): number | null {
    const changes = this.changes()
    if (changes.length === 0) return null
    const from = Math.max(now - window, changes[0].timestamp * 1000)
    let up = 0
    let covered = 0
    for (let i = 0; i < changes.length; i++) {
      const start = Math.max(from, changes[i].timestamp * 1000)
      const end = Math.min(now, i + 1 < changes.length ? changes[i + 1].timestamp * 1000 : now)
      if (end <= start) continue
      covered += end - start
      if (passing(changes[i].status)) up += end - start
    }
    if (covered === 0) return passing(changes[changes.length - 1].status) ? 1 : 0
    return up / covered
  }

  /** The answer of `?history` for this check. */
  answer (name: string): HistoryAnswer {
    const now = this.#now()
    const latest = this.latest
    return {
      name,
      status: latest?.status ?? null,
      since: latest?.timestamp ?? null,
      uptime: { '1h': this.uptime(HOUR, now), '24h': this.uptime(DAY, now) },
      changes: this.changes()
    }
  }
}

/** The answer for a check without any change yet. */
export function emptyAnswer (name: string): HistoryAnswer {
  return { name, status: null, since: null, uptime: { '1h': null, '24h': null }, changes: [] }
}
