import type { IncomingHttpHeaders } from 'node:http'
import { performance } from 'node:perf_hooks'
import { forwardedUrl, madeUpAnswer, matchRoute, notFound, type Answer, type Asked, type LastReport, type Route } from './answers'
import type { ForwardedRequest, MainMessage, WorkerConfig } from './protocol'

/**
 * How long a liveness probe waits for the main thread to take up its request. A main thread that does not take it up
 * in this time is not turning its event loop (saturated, or a long synchronous task): the probe is answered from the
 * last report, so that the kubelet's deadline is never at risk, and so are further liveness probes, at once, while an
 * earlier one still waits to be taken up. Once taken up, the answer is waited for `timeout` + ANSWER_GRACE.
 */
export const ACK_WITHIN = 20
/** Past the plugin's `timeout`: a check that timed out still gets its 503 through before the watchdog answers. */
export const ANSWER_GRACE = 50
/** Forwarded requests the main thread has not answered yet; past this many, new probes are not forwarded. */
export const MAX_PENDING = 16

// Hop-by-hop headers: they describe the watchdog's connection, not the request.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'proxy-connection'])
// Set by the HTTP server that sends the answer.
const NOT_COPIED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date'])

export interface Incoming {
  method?: string
  url?: string
  headers: IncomingHttpHeaders
}

interface Pending {
  route: Route
  asked: Asked
  /** performance.now() when it was forwarded. */
  sentAt: number
  /** Whether the main thread has taken it up. */
  acked: boolean
  /** null once the probe has been answered without the main thread. */
  respond: ((answer: Answer) => void) | null
  timer: NodeJS.Timeout | undefined
}

export interface DispatcherOptions {
  config: Pick<WorkerConfig, 'timeout' | 'stuckAfter' | 'paths' | 'details' | 'service'>
  /** Sends a request to the main thread. */
  post: (request: ForwardedRequest) => void
  /** Milliseconds since the main thread's latest heartbeat. */
  heartbeatAge: () => number
}

/**
 * The watchdog's decisions, for each probe request: forward it to the main thread and send its answer, or answer for a
 * main thread that is busy (no answer in time) or stuck (no heartbeat for longer than `stuckAfter`).
 */
export class Dispatcher {
  readonly #config: DispatcherOptions['config']
  readonly #post: DispatcherOptions['post']
  readonly #heartbeatAge: () => number
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #lastAnswer = performance.now()
  #lastReport: LastReport | undefined

  constructor (options: DispatcherOptions) {
    this.#config = options.config
    this.#post = options.post
    this.#heartbeatAge = options.heartbeatAge
  }

  handle (request: Incoming, respond: (answer: Answer) => void): void {
    const method = request.method ?? 'GET'
    const url = request.url ?? '/'
    const query = url.indexOf('?')
    const pathname = query === -1 ? url : url.slice(0, query)
    const route = method === 'GET' || method === 'HEAD' ? matchRoute(this.#config.paths, pathname) : null
    if (route === null) {
      respond(notFound(method, url))
      return
    }
    const asked: Asked = { method, url, accept: request.headers.accept, verbose: query !== -1 && new URLSearchParams(url.slice(query)).has('verbose') }
    const age = this.#heartbeatAge()
    if (age > this.#config.stuckAfter) {
      respond(this.#madeUp(route, asked, 'stuck', `stuck: no heartbeat for ${(age / 1000).toFixed(1)} s`))
      return
    }
    if (this.#pending.size >= MAX_PENDING) {
      respond(this.#madeUp(route, asked, 'busy', `busy: ${MAX_PENDING} probes are waiting for the main thread`))
      return
    }
    const waiting = this.#untakenFor()
    if (route.kind === 'health' && waiting > ACK_WITHIN) {
      // An earlier probe is still waiting to be taken up: the main thread is not turning its event loop now, and
      // would not take this one up in time either.
      respond(this.#madeUp(route, asked, 'busy', `busy: the main thread has not taken up a probe sent ${Math.round(waiting)} ms ago`))
      return
    }
    const id = this.#nextId++
    const pending: Pending = { route, asked, sentAt: performance.now(), acked: false, respond, timer: undefined }
    this.#pending.set(id, pending)
    const forwarded = forwardedUrl(this.#config.paths, route, query === -1 ? '' : url.slice(query))
    this.#post({ type: 'request', id, method: method as ForwardedRequest['method'], url: forwarded, headers: forwardedHeaders(request.headers) })
    this.#wait(id, pending, route.kind === 'health' ? ACK_WITHIN : this.#config.timeout + ANSWER_GRACE)
  }

  receive (message: MainMessage): void {
    const pending = this.#pending.get(message.id)
    if (pending === undefined) return
    this.#lastAnswer = performance.now()
    if (message.type === 'ack') {
      pending.acked = true
      // Taken up: the answer follows once the checks have run, within their time limits.
      if (pending.respond !== null && pending.route.kind === 'health') this.#wait(message.id, pending, this.#config.timeout + ANSWER_GRACE)
      return
    }
    this.#pending.delete(message.id)
    clearTimeout(pending.timer)
    if (message.type === 'failed') {
      this.#expire(pending, 'the main thread could not answer')
      return
    }
    if (pending.route.kind === 'health' && pending.route.name === null) this.#keepReport(message)
    const respond = pending.respond
    if (respond === null) return
    const headers: Answer['headers'] = {}
    for (const [name, value] of Object.entries(message.headers)) if (!NOT_COPIED.has(name)) headers[name] = value
    respond({ status: message.status, headers, body: message.body })
  }

  /** How long the oldest forwarded request the main thread has not taken up yet has been waiting (0: none). */
  #untakenFor (): number {
    let oldest = Infinity
    for (const pending of this.#pending.values()) if (!pending.acked && pending.sentAt < oldest) oldest = pending.sentAt
    return oldest === Infinity ? 0 : performance.now() - oldest
  }

  #wait (id: number, pending: Pending, ms: number): void {
    clearTimeout(pending.timer)
    pending.timer = setTimeout(() => {
      this.#expire(pending, `the main thread did not answer within ${ms} ms`)
      // Its late answer is still welcome (as the last report), but one that never comes (an app hook that hangs)
      // must not hold one of the MAX_PENDING places for ever.
      pending.timer = setTimeout(() => { this.#pending.delete(id) }, this.#config.stuckAfter)
      pending.timer.unref()
    }, ms)
    pending.timer.unref()
  }

  #expire (pending: Pending, why: string): void {
    const respond = pending.respond
    if (respond === null) return
    pending.respond = null
    respond(this.#madeUp(pending.route, pending.asked, 'busy', `busy: ${why}`))
  }

  #madeUp (route: Route, asked: Asked, reason: 'busy' | 'stuck', text: string): Answer {
    const situation = { reason, text, sinceAnswer: performance.now() - this.#lastAnswer, last: this.#lastReport }
    return madeUpAnswer(route, situation, asked, this.#config)
  }

  /** The main thread's latest liveness report, repeated while it is busy: its JSON answer to the liveness route. */
  #keepReport (message: Extract<MainMessage, { type: 'answer' }>): void {
    const type = message.headers['content-type']
    if (typeof type !== 'string' || !type.startsWith('application/json')) return
    let report: unknown
    try {
      report = JSON.parse(Buffer.from(message.body).toString('utf8'))
    } catch {
      return
    }
    if (typeof report === 'object' && report !== null && typeof (report as LastReport).status === 'string') this.#lastReport = report as LastReport
  }
}

function forwardedHeaders (headers: IncomingHttpHeaders): ForwardedRequest['headers'] {
  const forwarded: ForwardedRequest['headers'] = {}
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) forwarded[name] = value
  return forwarded
}
