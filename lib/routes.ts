import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import type { Availability } from './availability'
import { contain, logThrown } from './callbacks'
import type { CheckSet, RunOutcome, Selection } from './check-set'
import { HEALTH_JSON, healthJson, mentionsHealthJson, prefersHealthJson } from './formats/health-json'
import { HealthReportSchema, orHookError, ReadyReportSchema, StartupReportSchema } from './formats/schema'
import { verboseText } from './formats/verbose'
import type { NormalisedOptions } from './options'
import type { CheckKind } from './types'

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

/** Runs the user's details policy, contained: a policy that throws or takes longer than `timeout` hides the details. */
async function decide (policy: Policy, request: FastifyRequest, timeout: number): Promise<boolean> {
  if (typeof policy === 'boolean') return policy
  const settled = await contain(policy, request, timeout)
  if (settled.outcome === 'value') return settled.value === true
  if (settled.outcome === 'threw') logThrown(request.log, 'warn', settled.error, 'fastify-health: exposeDetails failed; answering without details')
  else request.log.warn(`fastify-health: exposeDetails did not settle within ${timeout} ms; answering without details`)
  return false
}

interface Context {
  kind: CheckKind
  set: CheckSet
  availability: Availability
  opts: NormalisedOptions
}

/** What a request asks for beyond the default JSON: exclusions, the verbose text, the IETF format. */
function wantsMore (request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown>
  if (query.exclude !== undefined || query.verbose !== undefined) return true
  const accept = request.headers.accept
  return accept !== undefined && mentionsHealthJson(accept)
}

function excludedNames (request: FastifyRequest): string[] {
  const exclude = (request.query as Record<string, unknown>).exclude
  if (exclude === undefined) return []
  return (Array.isArray(exclude) ? exclude : [exclude]).filter((name): name is string => typeof name === 'string')
}

/** Sends an outcome in the format the request asks for: JSON (the default), `?verbose` text or health+json. */
function send (ctx: Context, request: FastifyRequest, reply: FastifyReply, outcome: RunOutcome, details: boolean): unknown {
  const accept = request.headers.accept
  if (accept !== undefined && mentionsHealthJson(accept) && prefersHealthJson(accept)) {
    const text = healthJson(outcome, details, ctx.opts.service)
    return reply.code(outcome.code).type(HEALTH_JSON).serializer(identity).send(text)
  }
  if (details && (request.query as Record<string, unknown>).verbose !== undefined) {
    return reply.code(outcome.code).type('text/plain; charset=utf-8').serializer(identity).send(verboseText(ctx.kind, outcome))
  }
  reply.code(outcome.code)
  return body(outcome, details)
}

const identity = (payload: unknown): string => payload as string

/** The full handler: any details policy, exclusions and formats. */
function fullHandler (ctx: Context): RouteHandlerMethod {
  return async function probeHandlerFull (request, reply) {
    reply.header('cache-control', 'no-store')
    const names = excludedNames(request)
    const selection = names.length === 0 ? undefined : ctx.set.excluding(names)
    const [outcome, details] = await Promise.all([ctx.availability.answer(ctx.kind, selection), decide(ctx.opts.exposeDetails, request, ctx.opts.timeout)])
    return send(ctx, request, reply, outcome, details)
  }
}

/**
 * Builds the handler of a probe route once, at registration. A plain request under a fixed details policy (the
 * common probe) is answered with no promise or closure of its own: at once when the checks answer synchronously, else
 * as one of the waiters of the run in progress, all answered when it ends. Anything else goes to the full handler.
 */
function probeHandler (ctx: Context): RouteHandlerMethod {
  const full = fullHandler(ctx)
  const policy = ctx.opts.exposeDetails
  if (typeof policy !== 'boolean') return full
  const { availability, kind } = ctx
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
    if (wantsMore(request)) return full.call(this, request, reply)
    reply.header('cache-control', 'no-store')
    const outcome = availability.answer(kind)
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
    const details = await decide(ctx.opts.exposeDetails, request, ctx.opts.timeout)
    const state = ctx.set.state((request.params as { name: string }).name)
    if (!details || state === undefined) return reply.callNotFound()
    reply.header('cache-control', 'no-store')
    const selection: Selection = ctx.set.only(state)
    return send(ctx, request, reply, await ctx.availability.answer(ctx.kind, selection), true)
  }
}

/** Registers the probe route of one kind and the routes of its single checks. */
export function addRoutes (app: FastifyInstance, kind: CheckKind, url: string, ctx: Omit<Context, 'kind' | 'set'> & { set: CheckSet }): void {
  const context: Context = { ...ctx, kind }
  const { summary, schema } = ROUTES[kind]
  const { opts } = ctx
  const common = {
    logLevel: opts.logLevel,
    config: { healthProbe: kind },
    schema: {
      tags: opts.openapi.tags,
      ...(opts.openapi.hide ? { hide: true } : {}),
      response: { 200: schema, 503: orHookError(schema) }
    }
  }
  app.route({ ...common, method: 'GET', url, schema: { ...common.schema, summary }, handler: probeHandler(context) })
  // Under `/` a parametric route would take every one-segment path of the app.
  if (url === '/') return
  app.route({
    ...common,
    method: 'GET',
    url: `${url.replace(/\/$/, '')}/:name`,
    schema: {
      ...common.schema,
      summary: `${summary}: one check`,
      params: { type: 'object', properties: { name: { type: 'string', description: 'The check\'s name' } }, required: ['name'] }
    },
    handler: checkHandler(context)
  })
}
