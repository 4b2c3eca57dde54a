import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Group, RunOutcome } from './groups/group'
import { actuator, ACTUATOR_V3 } from './formats/actuator'
import type { CheckResult } from './formats/schema'
import { healthchecksUi } from './formats/healthchecks-ui'
import { microprofile } from './formats/microprofile'
import { acceptPattern, negotiate } from './formats/negotiate'
import { STATUS_PAGE_CSP, statusPage } from './formats/status-page'
import type { CheckState } from './registry/check-state'
import { emptyAnswer, History, type HistoryAnswer } from './registry/history'
import type { Registry } from './registry/registry'
import type { CheckHistory, ServiceInfo } from './types'

const JSON_TYPE = 'application/json; charset=utf-8'

const identity = (payload: unknown): string => payload as string

const FORMATTERS = { microprofile, actuator, 'healthchecks-ui': healthchecksUi } as const

const TYPES = { microprofile: JSON_TYPE, actuator: ACTUATOR_V3, 'healthchecks-ui': JSON_TYPE } as const

export interface DashboardsOptions {
  /** Seconds between reloads of the status page, or null when it is off. */
  statusPageRefresh: number | null
  service: ServiceInfo
  registry: Registry
}

/**
 * The answers for people and dashboards, on top of the probe routes: each check's history, `?history`, the dashboard
 * formats and the status page. This is where they meet the registry and the routes; the formats and the history
 * themselves take plain values.
 */
export class Dashboards {
  /** Tests an Accept header for a type this may answer; the probe routes' fast path skips everything else. */
  readonly accept: RegExp
  readonly #refresh: number | null
  readonly #title: string
  readonly #registry: Registry
  readonly #histories = new Map<CheckState, History>()

  constructor (options: DashboardsOptions) {
    this.#refresh = options.statusPageRefresh
    this.#title = options.service.serviceId ?? options.service.description ?? 'fastify-health'
    this.#registry = options.registry
    this.accept = acceptPattern(this.#refresh !== null)
    this.history = this.history.bind(this)
    // Every recorded run and every skip: a skip is no change of the effective status, but the status shown changes.
    options.registry.onObservation((state, entry) => { this.#observed(state, entry) })
  }

  /** Records a change of the status a check shows (its effective status, or `skipped`). */
  #observed (state: CheckState, entry: CheckResult): void {
    const status = state.status as NonNullable<CheckState['status']>
    let history = this.#histories.get(state)
    if (history === undefined) {
      history = new History(() => Date.now())
      this.#histories.set(state, history)
    }
    const previous = history.latest?.status ?? null
    if (previous === status) return
    history.record(status, previous, entry.timestamp, (state.skipped ?? state.entry as CheckResult).error)
  }

  /** The history of a check; empty for a check without any result yet. */
  historyOf (state: CheckState): HistoryAnswer {
    return this.#histories.get(state)?.answer(state.name) ?? emptyAnswer(state.name)
  }

  /** `app.health.history(name)`: the history of the check of that name (the first registered, should several share it). */
  history (name: string): CheckHistory | undefined {
    const state = this.#registry.byName(name)[0] as CheckState | undefined
    return state === undefined ? undefined : this.historyOf(state) as CheckHistory
  }

  /** Answers `?history` on the route of one check. */
  sendHistory (state: CheckState, reply: FastifyReply): FastifyReply {
    return reply.code(200).type(JSON_TYPE).serializer(identity).send(JSON.stringify(this.historyOf(state)))
  }

  /**
   * Answers in the format the request asks for (`?format=`, or Accept: the status page, Actuator's media type), or
   * returns undefined when it asks for none of them, for the route to answer as always.
   */
  send (group: Group, request: FastifyRequest, reply: FastifyReply, outcome: RunOutcome, details: boolean): FastifyReply | undefined {
    const format = negotiate(request.query as Record<string, unknown>, request.headers.accept, this.#refresh !== null)
    if (format === null) return undefined
    if (typeof format === 'object') {
      const body = { statusCode: 400, code: 'FST_HEALTH_UNKNOWN_FORMAT', error: 'Bad Request', message: format.error }
      return reply.code(400).type(JSON_TYPE).serializer(identity).send(JSON.stringify(body))
    }
    reply.code(outcome.code).serializer(identity)
    if (format !== 'html') return reply.type(TYPES[format]).send(FORMATTERS[format](outcome, group.name, details))
    const page = statusPage({
      outcome,
      group: group.name,
      details,
      refresh: this.#refresh as number,
      now: Date.now(),
      history: name => {
        const state = group.state(name)
        return state === undefined ? undefined : this.#histories.get(state)?.answer(name)
      },
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
