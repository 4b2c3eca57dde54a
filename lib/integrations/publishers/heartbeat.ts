import { optionsObject } from '../../checks/validate'
import type { PublishContext, PublishedReport } from '../../types'
import { send, target, type Target } from './request'

/** Options of `heartbeat()`. */
export interface HeartbeatOptions {
  /** Requested (GET) each time the group passes. Credentials in it are sent as basic authentication. Required. */
  url: string | URL
  /**
   * Requested (GET) each time the group fails, such as healthchecks.io's `<url>/fail`.
   * Default: none (nothing is sent while the group fails, and the monitor alerts when the pings stop).
   */
  failUrl?: string | URL
}

const KEYS = ['url', 'failUrl'] as const

/**
 * A publisher for push monitors, dead-man's switches that alert when the pings stop: healthchecks.io, Uptime Kuma's
 * push monitors, Better Stack heartbeats. While the group passes it requests `url`; while it fails, `failUrl` (or
 * nothing). The final publish sends nothing: a planned shutdown is not a failure. A URL's path and credentials never
 * appear in an error or a log line.
 */
export function heartbeat (options: HeartbeatOptions): (report: PublishedReport, context: PublishContext) => Promise<void> {
  const opts = optionsObject('heartbeat', options, KEYS)
  const ok = target(opts.url, 'heartbeat option "url"')
  const fail: Target | undefined = opts.failUrl === undefined ? undefined : target(opts.failUrl, 'heartbeat option "failUrl"')
  return async function heartbeat (_report, { passing, final, signal }) {
    if (final) return
    const to = passing ? ok : fail
    if (to !== undefined) await send('heartbeat', to, to.url, { method: 'GET', signal })
  }
}
