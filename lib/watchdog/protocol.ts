import type { ServiceInfo } from '../types'

/** The probe paths the watchdog serves, as the main port serves them (prefix applied). */
export interface ProbePaths {
  health: string
  ready: string
  startup: string
}

/** What the worker is started with. */
export interface WorkerConfig {
  port: number
  /** `undefined`: every interface, as `server.listen(port)` does. */
  host: string | undefined
  stuckAfter: number
  /** The plugin's `timeout`: how long a forwarded probe waits for the main thread's answer. */
  timeout: number
  paths: ProbePaths
  /** The `exposeDetails` policy for the answers the watchdog makes up itself: a function counts as `false`. */
  details: boolean
  service: ServiceInfo
  /** One BigInt64 slot: `process.hrtime.bigint()` at the main thread's latest heartbeat (the clock every thread shares). */
  heartbeat: SharedArrayBuffer
}

/** A probe request, forwarded to the main thread to be answered with `app.inject()`. */
export interface ForwardedRequest {
  type: 'request'
  id: number
  method: 'GET' | 'HEAD'
  url: string
  headers: Record<string, string | string[] | undefined>
}

/** What the main thread sent back for a forwarded request. */
export type MainMessage =
  /** Received: the main thread's event loop is turning, the answer follows. */
  | { type: 'ack', id: number }
  | { type: 'answer', id: number, status: number, headers: Record<string, string | string[] | number>, body: Uint8Array }
  /** `app.inject()` failed (the app is closing): the watchdog answers for the main thread. */
  | { type: 'failed', id: number }

/** What the worker tells the main thread besides forwarded requests. */
export type WorkerMessage =
  | ForwardedRequest
  | { type: 'listening', address: string, port: number }
  | { type: 'listen-error', message: string }
