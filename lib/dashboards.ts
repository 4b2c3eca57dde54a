import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CheckSet, RunOutcome } from './check-set'
import { actuator, ACTUATOR_V3 } from './formats/actuator'
import { healthchecksUi } from './formats/healthchecks-ui'
import { microprofile } from './formats/microprofile'
import { acceptPattern, negotiate } from './formats/negotiate'
import { STATUS_PAGE_CSP, statusPage } from './formats/status-page'
import { emptyAnswer, History, type HistoryAnswer } from './registry/history'
import type { CheckHistory, CheckKind, ServiceInfo, StatusChangeEvent } from './types'

const KINDS: readonly CheckKind[] = ['health', 'ready', 'startup']

const JSON_TYPE = 'application/json; charset=utf-8'

const identity = (payload: unknown): string => payload as string

const FORMATTERS = { microprofile, actuator, 'healthchecks-ui': healthchecksUi } as const

const TYPES = { microprofile: JSON_TYPE, actuator: ACTUATOR_V3, 'healthchecks-ui': JSON_TYPE } as const

export interface DashboardsOptions {
  /** Seconds between reloads of the status page, or null when it is off. */
  statusPageRefresh: number | null
  service: ServiceInfo
  sets: Record<CheckKind, CheckSet>
}

/**
 * The answers for people and dashboards, on top of the probe routes: each check's history (fed every status change),
 * `?history`, the dashboard formats and the status page. This is where they meet the check sets and the routes; the
 * formats and the history themselves take plain values.
 */
export class Dashboards {
  /** Tests an Accept header for a type this may answer; the probe routes' fast path skips everything else. */
  readonly accept: RegExp
  readonly #refresh: number | null
  readonly #title: string
  readonly #sets: Record<CheckKind, CheckSet>
  readonly #histories = new Map<string, History>()

  constructor (options: DashboardsOptions) {
    this.#refresh = options.statusPageRefresh
    this.#title = options.service.serviceId ?? options.service.description ?? 'fastify-health'
    this.#sets = options.sets
    this.accept = acceptPattern(this.#refresh !== null)
    this.record = this.record.bind(this)
    this.history = this.history.bind(this)
  }

  /** Records a change of a check's (or the app's own) effective status. */
  record (event: StatusChangeEvent): void {
    const key = `${event.kind}\0${event.name}`
    let history = this.#histories.get(key)
    if (history === undefined) {
      history = new History(() => Date.now())
      this.#histories.set(key, history)
    }
    history.record(event.status, event.previous, event.timestamp, event.error)
  }

  /** The history of a check of one kind; empty for a check without any change yet. */
  historyOf (kind: CheckKind, name: string): HistoryAnswer {
    return this.#histories.get(`${kind}\0${name}`)?.answer(name) ?? emptyAnswer(name)
  }

  /** `app.health.history(name)`: the history of the first check of that name (liveness, readiness, startup). */
  history (name: string): CheckHistory | undefined {
    for (const kind of KINDS) {
      if (this.#sets[kind].state(name) !== undefined || this.#histories.has(`${kind}\0${name}`)) return this.historyOf(kind, name) as CheckHistory
    }
    return undefined
  }

  /** Answers `?history` on the route of one check. */
  sendHistory (kind: CheckKind, name: string, reply: FastifyReply): FastifyReply {
    return reply.code(200).type(JSON_TYPE).serializer(identity).send(JSON.stringify(this.historyOf(kind, name)))
  }

  /**
   * Answers in the format the request asks for (`?format=`, or Accept: the status page, Actuator's media type), or
   * returns undefined when it asks for none of them, for the route to answer as always.
   */
  send (kind: CheckKind, request: FastifyRequest, reply: FastifyReply, outcome: RunOutcome, details: boolean): FastifyReply | undefined {
    const format = negotiate(request.query as Record<string, unknown>, request.headers.accept, this.#refresh !== null)
    if (format === null) return undefined
    if (typeof format === 'object') {
      const body = { statusCode: 400, code: 'FST_HEALTH_UNKNOWN_FORMAT', error: 'Bad Request', message: format.error }
      return reply.code(400).type(JSON_TYPE).serializer(identity).send(JSON.stringify(body))
    }
    reply.code(outcome.code).serializer(identity)
    if (format !== 'html') return reply.type(TYPES[format]).send(FORMATTERS[format](outcome, kind, details))
    const page = statusPage({
      outcome,
      group: kind,
      details,
      refresh: this.#refresh as number,
      now: Date.now(),
      history: name => this.#histories.get(`${kind}\0${name}`)?.answer(name),
      title: this.#title
    })
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', STATUS_PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(page)
  }
}
