import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import type { Availability } from '../groups/availability'
import type { Dashboards } from '../dashboards'
import { decide } from './details'
import type { Group, RunOutcome, Selection } from '../groups/group'
import { FST_HEALTH_INVALID_OPTION } from '../errors'
import { HEALTH_JSON, healthJson, mentionsHealthJson, prefersHealthJson } from '../formats/health-json'
import { checkQuerystring, documentOnly, probeQuerystring, probeResponses } from '../formats/openapi'
import { isVerbose } from '../formats/query'
import { HealthReportSchema, ReadyReportSchema, StartupReportSchema } from '../formats/schema'
import { verboseText } from '../formats/verbose'
import type { NormalisedOptions } from '../options'

type Policy = NormalisedOptions['exposeDetails']

const ROUTES = {
  health: { summary: 'Liveness probe', schema: HealthReportSchema },
  ready: { summary: 'Readiness probe', schema: ReadyReportSchema },
  startup: { summary: 'Startup probe', schema: StartupReportSchema }
} as const

function body (outcome: RunOutcome, details: boolean): unknown {
  if (details) return outcome.report
  outcome.summary ??= { status: outcome.report.status, timestamp: outcome.report.timestamp }
  return outcome.summary
}

export interface RouteContext {
  availability: Availability
  opts: NormalisedOptions
  dashboards: Dashboards
}

interface Context extends RouteContext {
  group: Group
  /** The details policy of this group's routes. */
  policy: Policy
}

/**
 * What a request asks for beyond the default JSON: exclusions, the verbose text, a dashboard format, or (by Accept)
 * the IETF format, Actuator's or the status page. One pattern, built at registration, tests the Accept header.
 */
function wantsMore (request: FastifyRequest, accepts: RegExp): boolean {
  const query = request.query as Record<string, unknown>
  if (query.exclude !== undefined || query.verbose !== undefined || query.format !== undefined) return true
  const accept = request.headers.accept
  return accept !== undefined && accepts.test(accept)
}

function excludedNames (request: FastifyRequest): string[] {
  const exclude = (request.query as Record<string, unknown>).exclude
  if (exclude === undefined) return []
  return (Array.isArray(exclude) ? exclude : [exclude]).filter((name): name is string => typeof name === 'string')
}

/**
 * Sends an outcome in the format the request asks for: a dashboard format or the status page, else JSON (the
 * default), `?verbose` text or health+json.
 */
function send (ctx: Context, request: FastifyRequest, reply: FastifyReply, outcome: RunOutcome, details: boolean): unknown {
  const formatted = ctx.dashboards.send(ctx.group, request, reply, outcome, details)
  if (formatted !== undefined) return formatted
  const accept = request.headers.accept
  if (accept !== undefined && mentionsHealthJson(accept) && prefersHealthJson(accept)) {
    const text = healthJson(outcome, details, ctx.opts.service)
    return reply.code(outcome.code).type(HEALTH_JSON).serializer(identity).send(text)
  }
  if (details && isVerbose(request.query)) {
    return reply.code(outcome.code).type('text/plain; charset=utf-8').serializer(identity).send(verboseText(outcome))
  }
  reply.code(outcome.code)
  return body(outcome, details)
}

const identity = (payload: unknown): string => payload as string

/**
 * The full handler: any details policy, exclusions and formats. Exclusions apply only where the request may see
 * details: a caller who may not see the names must not change the answer by guessing one.
 */
function fullHandler (ctx: Context): RouteHandlerMethod {
  return async function probeHandlerFull (request, reply) {
    reply.header('cache-control', 'no-store')
    const details = await decide(ctx.policy, request, ctx.opts.timeout)
    const names = details ? excludedNames(request) : []
    const selection = names.length === 0 ? undefined : ctx.group.excluding(names)
    return send(ctx, request, reply, await ctx.availability.answer(ctx.group, selection), details)
  }
}

/**
 * Builds the handler of a probe route once, at registration. A plain request under a fixed details policy (the
 * common probe) is answered with no promise or closure of its own: at once when the checks answer synchronously, else
 * as one of the waiters of the run in progress, all answered when it ends. Anything else goes to the full handler.
 */
function probeHandler (ctx: Context): RouteHandlerMethod {
  const full = fullHandler(ctx)
  const policy = ctx.policy
  if (typeof policy !== 'boolean') return full
  const { availability, group } = ctx
  const accepts = ctx.dashboards.accept
  // Concurrent requests share the run in progress, so the last run's waiters are the only ones to look up.
  let lastRun: Promise<RunOutcome> | undefined
  let lastWaiters: FastifyReply[] = []
  const wait = (pending: Promise<RunOutcome>, reply: FastifyReply): void => {
    if (pending !== lastRun) {
      const waiters: FastifyReply[] = lastWaiters = []
      lastRun = pending
      pending.then(outcome => {
        if (lastRun === pending) lastRun = undefined
        for (const waiter of waiters) waiter.code(outcome.code).send(body(outcome, policy))
      }, /* c8 ignore next 3 */ (err: unknown) => {
        // Runs settle with an outcome, never an error; should one fail all the same, no request is left hanging.
        for (const waiter of waiters) waiter.send(err)
      })
    }
    lastWaiters.push(reply)
  }
  return function probeHandler (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    if (wantsMore(request, accepts)) return full.call(this, request, reply)
    reply.header('cache-control', 'no-store')
    const outcome = availability.answer(group)
    if (outcome instanceof Promise) {
      wait(outcome, reply)
      return
    }
    reply.code(outcome.code)
    return body(outcome, policy)
  }
}

/**
 * The route of one check, `{path}/{name}`: it answers for that check alone, by its own status. Unknown names, and any
 * name when the details are hidden for the request, get the app's 404, so that names cannot be enumerated.
 */
function checkHandler (ctx: Context): RouteHandlerMethod {
  return async function checkHandler (request, reply) {
    const details = await decide(ctx.policy, request, ctx.opts.timeout)
    const state = ctx.group.state((request.params as { name: string }).name)
    if (!details || state === undefined) return reply.callNotFound()
    reply.header('cache-control', 'no-store')
    if ((request.query as Record<string, unknown>).history !== undefined) return ctx.dashboards.sendHistory(state, reply)
    const selection: Selection = ctx.group.only(state)
    return send(ctx, request, reply, await ctx.availability.answer(ctx.group, selection), true)
  }
}

/** Throws when the app (or this plugin) has a GET route at `url` already, saying what collides and what to do. */
function claim (app: FastifyInstance, url: string, what: string, hint: string): void {
  if (app.hasRoute({ method: 'GET', url })) {
    throw new FST_HEALTH_INVALID_OPTION(`${what} would be GET ${url}, which the app already has${hint}`)
  }
}

/**
 * Registers the route of a group and, unless turned off, the routes of its single checks, `{url}/{name}`. Taken paths
 * are refused with an error that names them, before Fastify's own duplicate-route error could.
 */
export function addRoutes (app: FastifyInstance, group: Group, url: string, ctx: RouteContext, policy: Policy = ctx.opts.exposeDetails): void {
  const context: Context = { ...ctx, group, policy }
  const { opts } = ctx
  const kind = group.kind
  const { summary, schema } = kind === null ? { summary: `Health of the group ${group.name}`, schema: HealthReportSchema } : ROUTES[kind]
  const subject = kind === null ? `the route of group ${JSON.stringify(group.name)}` : `the ${kind} route`
  claim(app, url, subject, '; choose another path')
  // Under `/` a parametric route would take every one-segment path of the app.
  const checkRoutes = opts.checkRoutes && url !== '/'
  const checkUrl = `${url}/:name`
  if (checkRoutes) claim(app, checkUrl, `the per-check route of ${subject}`, '; choose another path, or turn per-check routes off with the option checkRoutes: false')
  const common = {
    logLevel: opts.logLevel,
    config: { healthProbe: kind ?? group.name },
    validatorCompiler: documentOnly,
    schema: {
      tags: opts.openapi.tags,
      ...(opts.openapi.hide ? { hide: true } : {}),
      response: probeResponses(schema)
    }
  }
  app.route({ ...common, method: 'GET', url, schema: { ...common.schema, summary, querystring: probeQuerystring }, handler: probeHandler(context) })
  if (!checkRoutes) return
  app.route({
    ...common,
    method: 'GET',
    url: checkUrl,
    schema: {
      ...common.schema,
      summary: `${summary}: one check`,
      querystring: checkQuerystring,
      params: { type: 'object', properties: { name: { type: 'string', description: 'The check\'s name' } }, required: ['name'] }
    },
    handler: checkHandler(context)
  })
}
