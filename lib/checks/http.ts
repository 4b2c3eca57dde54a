import { invalid } from '../options'
import type { HealthCheckContext } from '../types'
import { optionsObject } from './validate'

/** Options of `http()`. */
export interface HttpCheckOptions {
  /**
   * Request method, an HTTP token such as `'HEAD'`.
   * Default: `'GET'`.
   */
  method?: string
  /**
   * Status code, or codes, that pass: an integer from 100 to 599 or a non-empty array of them. Redirects are not
   * followed, so a 3xx passes only when listed here.
   * Default: any 2xx.
   */
  expectStatus?: number | number[]
  /**
   * Request headers, as an object of strings.
   * Default: none.
   */
  headers?: Record<string, string>
}

const KEYS = ['method', 'expectStatus', 'headers'] as const
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function isStatus (value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599
}

function expectedStatuses (value: unknown): number[] | null {
  if (value === undefined) return null
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0 || !list.every(isStatus)) {
    throw invalid('http option "expectStatus"', 'an integer from 100 to 599 or a non-empty array of them', value)
  }
  return [...list]
}

function requestHeaders (value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every(v => typeof v === 'string')) {
    throw invalid('http option "headers"', 'an object of strings', value)
  }
  return { ...value as Record<string, string> }
}

function parseUrl (value: unknown): URL {
  const expected = 'an absolute http: or https: URL'
  if (typeof value !== 'string' && !(value instanceof URL)) throw invalid('http argument "url"', expected, value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid('http argument "url"', expected, String(value))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('http argument "url"', expected, String(value))
  return url
}

/** fetch() says only "fetch failed"; the reason (`connect ECONNREFUSED 127.0.0.1:9`) is in its cause. */
function networkError (err: unknown): unknown {
  const cause = (err as { cause?: unknown }).cause
  return cause instanceof Error ? new Error(`${(err as Error).message}: ${cause.message}`, { cause }) : err
}

/**
 * A check that requests `url` with the global `fetch` and looks at the response's status code only; the body is
 * cancelled unread. The request is aborted by the check's signal (timeout, app closing).
 *
 * It resolves `true` for an expected status. Otherwise it rejects (the check reports `error`, not `fail`) with a
 * message such as `status 503, expected 2xx` or `status 302, expected 200 or 204`; a request that fails rejects with
 * fetch's message and its cause, e.g. `fetch failed: connect ECONNREFUSED 127.0.0.1:8080`; an aborted one rejects with
 * the signal's reason.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad URL or option.
 */
export function http (url: string | URL, options?: HttpCheckOptions): (context: HealthCheckContext) => Promise<boolean> {
  const target = parseUrl(url)
  const opts = optionsObject('http', options, KEYS)
  const method = opts.method ?? 'GET'
  if (typeof method !== 'string' || !TOKEN.test(method)) throw invalid('http option "method"', 'an HTTP method such as "GET"', method)
  const statuses = expectedStatuses(opts.expectStatus)
  const headers = requestHeaders(opts.headers)
  const expected = statuses === null ? '2xx' : statuses.join(' or ')

  return async function httpCheck ({ signal }) {
    let response: Response
    try {
      response = await fetch(target, { method, headers, signal, redirect: 'manual' })
    } catch (err) {
      throw networkError(err)
    }
    // Cancelling the unread body frees the connection now rather than when the response is garbage-collected.
    await response.body?.cancel()
    const { status } = response
    const ok = statuses === null ? status >= 200 && status <= 299 : statuses.includes(status)
    if (!ok) throw new Error(`status ${status}, expected ${expected}`)
    return true
  }
}
