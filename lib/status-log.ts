import { performance } from 'node:perf_hooks'
import type { FastifyBaseLogger } from 'fastify'
import { contain, logThrown } from './callbacks'
import type { CheckStatus } from './formats/schema'
import type { StatusChangeEvent } from './types'

/** At most this many status-change lines per check in any window; the rest are counted and summed up. */
export const FLAP_LIMIT = 5
export const FLAP_WINDOW = 60_000

interface Window {
  readonly kind: string
  readonly name: string
  start: number
  lines: number
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
  #closed = false

  constructor (log: FastifyBaseLogger, onStatusChange: ((event: StatusChangeEvent) => unknown) | null, timeout: number) {
    this.#log = log
    this.#onStatusChange = onStatusChange
    this.#timeout = timeout
  }

  /** Reports a change. Changes caused by the app closing are not news: they are dropped once `close()` ran. */
  changed (event: StatusChangeEvent): void {
    if (this.#closed) return
    // A first run that passes is the expected state, not news: no line, and no place among a window's FLAP_LIMIT lines.
    if ((event.status !== 'pass' || event.previous !== null) && this.#mayLog(event)) this.#write(event)
    if (this.#onStatusChange !== null) this.#notify(this.#onStatusChange, event)
  }

  /** Drops the pending summaries' timers; nothing is reported afterwards. */
  close (): void {
    this.#closed = true
    for (const window of this.#windows.values()) clearTimeout(window.timer)
    this.#windows.clear()
  }

  #write (event: StatusChangeEvent): void {
    const label = `fastify-health: ${event.kind} check ${JSON.stringify(event.name)}`
    if (event.status !== 'pass') {
      this.#log.warn({ healthCheck: event }, `${label} is ${event.status}${event.error === undefined ? '' : `: ${event.error}`}`)
    } else {
      this.#log.info({ healthCheck: event }, `${label} passes again`)
    }
  }

  #mayLog (event: StatusChangeEvent): boolean {
    const key = `${event.kind}\0${event.name}`
    const now = performance.now()
    let window = this.#windows.get(key)
    if (window === undefined || now - window.start >= FLAP_WINDOW) {
      if (window !== undefined) this.#summarise(key, window)
      window = { kind: event.kind, name: event.name, start: now, lines: 0, suppressed: 0, last: event.status, timer: undefined }
      this.#windows.set(key, window)
    }
    window.last = event.status
    if (window.lines < FLAP_LIMIT) {
      window.lines++
      return true
    }
    window.suppressed++
    if (window.timer === undefined) {
      window.timer = setTimeout(() => { this.#summarise(key, window) }, window.start + FLAP_WINDOW - now)
      window.timer.unref()
    }
    return false
  }

  #summarise (key: string, window: Window): void {
    clearTimeout(window.timer)
    window.timer = undefined
    if (this.#windows.get(key) === window) this.#windows.delete(key)
    if (window.suppressed === 0) return
    const { kind, name } = window
    this.#log.warn({ healthCheck: { name, kind, status: window.last, changes: window.suppressed + window.lines } },
      `fastify-health: ${kind} check ${JSON.stringify(name)} flapping: ${window.suppressed + window.lines} changes in ${FLAP_WINDOW / 1000} s, now ${window.last}`)
    window.suppressed = 0
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
