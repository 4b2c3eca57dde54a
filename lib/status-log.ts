import { performance } from 'node:perf_hooks'
import type { FastifyBaseLogger } from 'fastify'
import { contain, logThrown } from './callbacks'
import type { CheckStatus } from './formats/schema'
import type { StatusChangeEvent } from './types'

/** What the integrations (metrics, publishers, the gRPC service) follow: internal listeners, not user callbacks. */
export interface StatusListener {
  /** A reported status change (a check's, or the app's own), once per change. */
  change?: (event: StatusChangeEvent) => void
  /** Readiness turned not_ready for the shutdown. */
  shutdown?: () => void
  /** The app is closing: nothing is reported afterwards. */
  close?: () => void
}

/**
 * How a log line says that a check left `pass`: `health check "db" failed: disk full`. A skip is never a change of
 * its own (the dependency's change is the news).
 */
type Changed = Exclude<CheckStatus, 'pass' | 'skipped'>
const CHANGED_TO: Record<Changed, string> = { warn: 'warned', fail: 'failed', error: 'errored' }

/** At most this many status-change lines per check in any window; the changes past them are counted and summed up. */
export const FLAP_LIMIT = 5
export const FLAP_WINDOW = 60_000

interface Window {
  readonly kind: string
  readonly name: string
  /** performance.now() of each status-change line logged in the last FLAP_WINDOW ms, oldest first. */
  lines: number[]
  /** Changes not logged since the last summary. */
  suppressed: number
  last: CheckStatus
  timer: NodeJS.Timeout | undefined
}

/**
 * Where status changes go: one log line each (`warn` when a check leaves `pass`, `info` when it comes back) and the
 * user's `onStatusChange`, contained and bounded in time. A flapping check logs at most FLAP_LIMIT lines in any
 * FLAP_WINDOW ms and then one summary line when the window ends; `onStatusChange` still gets every change.
 */
export class StatusLog {
  readonly #log: FastifyBaseLogger
  readonly #onStatusChange: ((event: StatusChangeEvent) => unknown) | null
  readonly #timeout: number
  readonly #windows = new Map<string, Window>()
  readonly #listeners = new Set<StatusListener>()
  #closed = false

  constructor (log: FastifyBaseLogger, onStatusChange: ((event: StatusChangeEvent) => unknown) | null, timeout: number) {
    this.#log = log
    this.#onStatusChange = onStatusChange
    this.#timeout = timeout
  }

  /** Adds an integration's listener; the returned function removes it. */
  listen (listener: StatusListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Reports the start of the shutdown to the listeners. */
  shuttingDown (): void {
    for (const listener of this.#listeners) listener.shutdown?.()
  }

  /** Reports a change. Changes caused by the app closing are not news: they are dropped once `close()` ran. */
  changed (event: StatusChangeEvent): void {
    if (this.#closed) return
    for (const listener of this.#listeners) listener.change?.(event)
    // A first run that passes is the expected state, not news: no line, and no place among a window's FLAP_LIMIT lines.
    if ((event.status !== 'pass' || event.previous !== null) && this.#mayLog(event)) this.#write(event)
    if (this.#onStatusChange !== null) this.#notify(this.#onStatusChange, event)
  }

  /** Drops the pending summaries' timers; nothing is reported afterwards. */
  close (): void {
    if (!this.#closed) for (const listener of this.#listeners) listener.close?.()
    this.#closed = true
    for (const window of this.#windows.values()) clearTimeout(window.timer)
    this.#windows.clear()
  }

  #write (event: StatusChangeEvent): void {
    const label = `fastify-health: ${event.kind} check ${JSON.stringify(event.name)}`
    if (event.status !== 'pass') {
      this.#log.warn({ healthCheck: event }, `${label} ${CHANGED_TO[event.status as Changed]}${event.error === undefined ? '' : `: ${event.error}`}`)
    } else {
      this.#log.info({ healthCheck: event }, `${label} passes again`)
    }
  }

  // A sliding window: a change is logged while fewer than FLAP_LIMIT lines were logged in the last FLAP_WINDOW ms.
  // Past that, changes are counted, and summed up in one line when the oldest of those lines leaves the window; from
  // then on changes are logged again as room frees up.
  #mayLog (event: StatusChangeEvent): boolean {
    const key = `${event.kind}\0${event.name}`
    const now = performance.now()
    let window = this.#windows.get(key)
    if (window === undefined) {
      window = { kind: event.kind, name: event.name, lines: [], suppressed: 0, last: event.status, timer: undefined }
      this.#windows.set(key, window)
    }
    window.last = event.status
    prune(window, now)
    if (window.suppressed === 0 && window.lines.length < FLAP_LIMIT) {
      window.lines.push(now)
      return true
    }
    window.suppressed++
    if (window.timer === undefined) {
      const flapping = window
      window.timer = setTimeout(() => { this.#summarise(flapping) }, flapping.lines[0] + FLAP_WINDOW - now)
      window.timer.unref()
    }
    return false
  }

  #summarise (window: Window): void {
    window.timer = undefined
    // The timer was set for the oldest line to leave the window (shifted, not pruned, in case a timer fires a
    // fraction of a millisecond early). The suppressed changes all came after that line: all are in the last 60 s.
    window.lines.shift()
    prune(window, performance.now())
    const changes = window.suppressed + window.lines.length
    window.suppressed = 0
    const { kind, name, last } = window
    this.#log.warn({ healthCheck: { name, kind, status: last, changes } },
      `fastify-health: ${kind} check ${JSON.stringify(name)} flapping: ${changes} changes in ${FLAP_WINDOW / 1000} s, now ${last}`)
  }

  // A returned promise is followed off the hot path; whatever it throws or rejects with is logged, never raised.
  #notify (fn: (event: StatusChangeEvent) => unknown, event: StatusChangeEvent): void {
    const settled = contain(fn, event, this.#timeout)
    if (settled instanceof Promise) settled.then(s => { this.#report(s) }, /* c8 ignore next */ () => {})
    else this.#report(settled)
  }

  #report (settlement: Awaited<ReturnType<typeof contain>>): void {
    if (settlement.outcome === 'threw') {
      logThrown(this.#log, 'error', settlement.error, 'fastify-health: onStatusChange failed; the change is still applied')
    } else if (settlement.outcome === 'timeout') {
      this.#log.warn(`fastify-health: onStatusChange did not settle within ${this.#timeout} ms; the change is still applied`)
    }
  }
}

/** Drops the lines older than the window. */
function prune (window: Window, now: number): void {
  let old = 0
  while (old < window.lines.length && now - window.lines[old] >= FLAP_WINDOW) old++
  if (old > 0) window.lines.splice(0, old)
}
