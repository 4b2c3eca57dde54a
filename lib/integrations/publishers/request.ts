import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { parseUrl } from '../../checks/http'

/** Where a ready-made publisher sends its requests, and how it names that place in an error or a log line. */
export interface Target {
  readonly url: URL
  readonly authorization: string | undefined
  /**
   * Scheme and host only: the path and query of a push URL are often its secret (a healthchecks.io UUID, an Uptime
   * Kuma token), and the credentials of `user:password@` never leave the Authorization header.
   */
  readonly shown: string
}

/** Parses a URL option; credentials in it become an Authorization header, as with the `http` check. */
export function target (value: unknown, subject: string): Target {
  const { url, authorization } = parseUrl(value, subject)
  return { url, authorization, shown: `${url.protocol}//${url.host}` }
}

export interface SendOptions {
  method: string
  signal: AbortSignal
  headers?: Record<string, string>
  body?: string
}

/**
 * Sends one request on a connection of its own and resolves once a 2xx response's head has arrived. Any other
 * status, or a failed request, rejects with an error that names `what` and the target's scheme and host only.
 */
export async function send (what: string, to: Target, url: URL, options: SendOptions): Promise<void> {
  const headers: Record<string, string> = { ...options.headers }
  if (to.authorization !== undefined) headers.authorization = to.authorization
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
  const { signal } = options
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    // agent: false: no idle keep-alive socket outlives the request.
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: options.method, headers, signal, agent: false })
    request.once('response', (response: IncomingMessage) => {
      const status = response.statusCode as number
      response.on('error', () => {})
      response.destroy()
      if (status >= 200 && status <= 299) resolve()
      else reject(new Error(`${what}: ${to.shown} answered ${status}`))
    })
    // A fresh error with the system's message only: the original carries the request's options, the path included.
    request.on('error', err => { reject(signal.aborted ? signal.reason : new Error(`${what}: ${to.shown}: ${err.message}`)) })
    request.end(options.body)
  })
}
