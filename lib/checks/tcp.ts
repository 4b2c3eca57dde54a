import { connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { invalid } from '../options'
import type { CheckOutcome, HealthCheckContext } from '../types'
import { elapsedMs } from './measure'
import { markRemote } from './remote'
import { refusedOutcome } from './refused'
import { optionsObject } from './validate'

/** Options of `tcp()`. */
export interface TcpCheckOptions {
  /** Host name or IP address to connect to. A non-empty string. Required. */
  host: string
  /** TCP port, an integer from 1 to 65535. Required. */
  port: number
}

const KEYS = ['host', 'port'] as const

/**
 * A check that opens a TCP connection to `host:port` and closes it as soon as it is established; nothing is sent.
 *
 * It resolves `{ status: 'pass', observedValue, observedUnit: 'ms' }` once connected, `observedValue` being the time
 * taken to connect (name resolution included). A refused connection (nothing listens) resolves `{ status: 'fail' }`
 * with the system's message as `output` (`connect ECONNREFUSED 127.0.0.1:6379`) and the time to the refusal. Any
 * other failure rejects (the check reports `error`) with the system's message, e.g.
 * `getaddrinfo ENOTFOUND cache.internal`. When the check's signal aborts (timeout, app closing), the socket is
 * destroyed and the check rejects with the signal's reason.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad option.
 */
export function tcp (options: TcpCheckOptions): (context: HealthCheckContext) => Promise<CheckOutcome> {
  const opts = optionsObject('tcp', options, KEYS)
  const { host, port } = opts
  if (typeof host !== 'string' || host === '') throw invalid('tcp option "host"', 'a non-empty string', host)
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    throw invalid('tcp option "port"', 'an integer from 1 to 65535', port)
  }

  return markRemote(async function tcpCheck ({ signal }: HealthCheckContext): Promise<CheckOutcome> {
    signal.throwIfAborted()
    const start = performance.now()
    return await new Promise<CheckOutcome>((resolve, reject) => {
      const socket = connect({ host, port: port as number })
      const onAbort = (): void => {
        socket.destroy()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort)
        socket.destroy()
        resolve({ status: 'pass', observedValue: elapsedMs(start), observedUnit: 'ms' })
      })
      socket.once('error', err => {
        signal.removeEventListener('abort', onAbort)
        const refused = refusedOutcome(err, start)
        if (refused === null) reject(err)
        else resolve(refused)
      })
    })
  }, 'tcp')
}
