import { request as httpRequest, validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { performance } from 'node:perf_hooks'
import { invalid } from '../options'
import { redactUrl } from '../redact-url'
import type { CheckOutcome, HealthCheckContext } from '../types'
import { elapsedMs } from './measure'
import { markRemote } from './remote'
import { refusedOutcome } from './refused'
import { optionsObject } from './validate'

/** Options of `http()`. */
export interface HttpCheckOptions {
  /**
   * Request method, an HTTP token such as `'HEAD'` (not `CONNECT`).
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
   * Request headers, as an object of strings; each name must be an HTTP token and each value free of control
   * characters such as a newline. An `authorization` header here takes precedence over credentials in the URL.
   * Default: none.
   */
  headers?: Record<string, string>
}

const KEYS = ['method', 'expectStatus', 'headers'] as const
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const EXPECTED_URL = 'an absolute http: or https: URL'

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

function parseMethod (value: unknown): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) throw invalid('http option "method"', 'an HTTP method such as "GET"', value)
  // A CONNECT answer opens a tunnel instead of a response; there would be no status to judge.
  if (value.toUpperCase() === 'CONNECT') throw invalid('http option "method"', 'an HTTP method other than CONNECT', value)
  return value
}

/**
 * The headers, checked now rather than on every run. A value is never echoed: headers carry secrets (API keys,
 * tokens), so an error names the header only.
 */
function requestHeaders (value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every(v => typeof v === 'string')) {
    throw invalid('http option "headers"', 'an object of strings', value)
  }
  const headers = { ...value as Record<string, string> }
  for (const [name, text] of Object.entries(headers)) {
    const expected = 'an object of valid header names (HTTP tokens) and values (no control characters such as a newline)'
    try {
      validateHeaderName(name)
    } catch {
      throw invalid('http option "headers"', `${expected}; the name ${JSON.stringify(name)} is not a valid header name`, value)
    }
    try {
      validateHeaderValue(name, text)
    } catch {
      throw invalid('http option "headers"', `${expected}; the value of header ${JSON.stringify(name)} is not valid`, value)
    }
  }
  return headers
}

/** The URL to request, without its credentials, and the `authorization` header they stand for (as curl sends them). */
export function parseUrl (value: unknown, subject = 'http argument "url"'): { url: URL, authorization: string | undefined } {
  if (typeof value !== 'string' && !(value instanceof URL)) throw invalid(subject, EXPECTED_URL, value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(subject, EXPECTED_URL, redactUrl(String(value)))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(subject, EXPECTED_URL, redactUrl(url.href))
  if (url.username === '' && url.password === '') return { url, authorization: undefined }
  let credentials: string
  try {
    credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  } catch {
    throw invalid(subject, `${EXPECTED_URL} with validly percent-encoded credentials`, redactUrl(url.href))
  }
  url.username = ''
  url.password = ''
  return { url, authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` }
}

/** Sends the request and resolves with the status code once the response's head has arrived. */
async function statusOf (url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    // agent: false: a one-off connection per run, so that no idle keep-alive socket outlives it.
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers, signal, agent: false })
    request.once('response', (response: IncomingMessage) => {
      // Only the status counts: destroying the response closes the connection without reading a body that may be
      // large or never end.
      response.on('error', () => {})
      response.destroy()
      resolve(response.statusCode as number)
    })
    // `on`, not `once`: an error after the response (the connection reset by the destroy above) must not go unhandled.
    // An abort surfaces here as Node's AbortError; the check reports the signal's own reason instead.
    request.on('error', err => { reject(signal.aborted ? signal.reason : err) })
    request.end()
  })
}

/**
 * A check that requests `url` with `node:http` / `node:https` (on a new connection each run, any port) and looks at
 * the response's status code only; the body is not read. Redirects are not followed. Credentials in the URL
 * (`http://user:password@host/`) are percent-decoded and sent as HTTP basic authentication, and never appear in an
 * error. The request is aborted by the check's signal (timeout, app closing).
 *
 * It resolves `{ status: 'pass', observedValue, observedUnit: 'ms' }` for an expected status, where `observedValue`
 * is the time from sending the request to receiving the response's head. For another status it resolves
 * `{ status: 'fail', output }` with the same figures and a reason such as `status 503, expected 2xx` or
 * `status 302, expected 200 or 204`. A refused connection (nothing listens) resolves `{ status: 'fail' }` too, with
 * the system's message as `output` (`connect ECONNREFUSED 127.0.0.1:8080`). Any other failed request rejects (the
 * check reports `error`) with the system's message, e.g. `getaddrinfo ENOTFOUND api.internal`; an aborted one
 * rejects with the signal's reason.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad URL or option.
 */
export function http (url: string | URL, options?: HttpCheckOptions): (context: HealthCheckContext) => Promise<CheckOutcome> {
  const { url: target, authorization } = parseUrl(url)
  const opts = optionsObject('http', options, KEYS)
  const method = parseMethod(opts.method ?? 'GET')
  const statuses = expectedStatuses(opts.expectStatus)
  const headers = requestHeaders(opts.headers)
  if (authorization !== undefined && !Object.keys(headers).some(name => name.toLowerCase() === 'authorization')) {
    headers.authorization = authorization
  }
  const expected = statuses === null ? '2xx' : statuses.join(' or ')

  return markRemote(async function httpCheck ({ signal }: HealthCheckContext): Promise<CheckOutcome> {
    signal.throwIfAborted()
    const start = performance.now()
    let status: number
    try {
      status = await statusOf(target, method, headers, signal)
    } catch (err) {
      const refused = refusedOutcome(err, start)
      if (refused === null) throw err
      return refused
    }
    const observed = { observedValue: elapsedMs(start), observedUnit: 'ms' }
    const ok = statuses === null ? status >= 200 && status <= 299 : statuses.includes(status)
    return ok ? { status: 'pass', ...observed } : { status: 'fail', output: `status ${status}, expected ${expected}`, ...observed }
  }, 'http')
}
