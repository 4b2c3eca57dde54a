import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { CheckSet, type RunOutcome } from './check-set'
import { installGracefulShutdown } from './graceful-shutdown'
import { normaliseOptions, type NormalisedOptions } from './options'
import { HealthReportSchema, ReadyReportSchema, type HealthReport, type ReadyReport } from './schema'
import type { CheckKind, CheckOptions, HealthCheckFn, HealthPluginOptions } from './types'

const CLOSING_MESSAGE = 'cancelled: the server is closing'

function body (outcome: RunOutcome, details: boolean): unknown {
  if (details) return outcome.report
  outcome.summary ??= { status: outcome.report.status, timestamp: outcome.report.timestamp }
  return outcome.summary
}

/**
 * Builds the route handler once, at registration, for the details policy in force: the common fixed policy gets a
 * handler that answers synchronously when the checks do, with no promise or closure per request.
 */
function buildHandler (set: CheckSet, policy: NormalisedOptions['exposeDetails']): RouteHandlerMethod {
  if (typeof policy === 'boolean') {
    return function probeHandler (_request: FastifyRequest, reply: FastifyReply) {
      reply.header('cache-control', 'no-store')
      const outcome = set.get()
      if (outcome instanceof Promise) return answerLater(outcome, reply, policy)
      reply.code(outcome.code)
      return body(outcome, policy)
    }
  }
  return async function probeHandlerWithPolicy (request: FastifyRequest, reply: FastifyReply) {
    reply.header('cache-control', 'no-store')
    const [outcome, details] = await Promise.all([set.get(), decide(policy, request)])
    reply.code(outcome.code)
    return body(outcome, details)
  }
}

/** The asynchronous half of the fixed-policy handler: a plain function, so that a request builds no closure. */
async function answerLater (pending: Promise<RunOutcome>, reply: FastifyReply, details: boolean): Promise<unknown> {
  const outcome = await pending
  reply.code(outcome.code)
  return body(outcome, details)
}

/** Runs the user's details policy; a policy that throws hides the details rather than failing the probe. */
async function decide (policy: (request: FastifyRequest) => boolean | Promise<boolean>, request: FastifyRequest): Promise<boolean> {
  try {
    return (await policy(request)) === true
  } catch (err) {
    request.log.warn({ err }, 'fastify-health: exposeDetails threw; answering without details')
    return false
  }
}

/** The body of the plugin; index.ts wraps it with fastify-plugin so that the decorators reach the registering instance. */
export async function registerHealth (app: FastifyInstance, options: HealthPluginOptions): Promise<void> {
  const opts = normaliseOptions(options)
  const setOptions = { timeout: opts.timeout, cacheTtl: opts.cacheTtl, log: app.log, onStatusChange: opts.onStatusChange }
  const health = new CheckSet({ kind: 'health', ...setOptions })
  const ready = new CheckSet({ kind: 'ready', ...setOptions })

  app.decorate('addHealthCheck', function addHealthCheck (this: FastifyInstance, name: string, check: HealthCheckFn, checkOptions?: CheckOptions) {
    health.add(name, check, checkOptions)
    return this
  })
  app.decorate('addReadyCheck', function addReadyCheck (this: FastifyInstance, name: string, check: HealthCheckFn, checkOptions?: CheckOptions) {
    ready.add(name, check, checkOptions)
    return this
  })
  app.decorate('runHealthChecks', async function runHealthChecks (): Promise<HealthReport> {
    return (await health.get()).report as HealthReport
  })
  app.decorate('runReadyChecks', async function runReadyChecks (): Promise<ReadyReport> {
    return (await ready.get()).report as ReadyReport
  })

  const routes: Array<[CheckKind, string, CheckSet, typeof HealthReportSchema | typeof ReadyReportSchema]> = [
    ['health', opts.path, health, HealthReportSchema],
    ['ready', opts.readyPath, ready, ReadyReportSchema]
  ]
  for (const [kind, url, set, schema] of routes) {
    app.route({
      method: 'GET',
      url,
      logLevel: opts.logLevel,
      config: { healthProbe: kind },
      schema: {
        summary: kind === 'health' ? 'Liveness probe' : 'Readiness probe',
        tags: opts.openapi.tags,
        ...(opts.openapi.hide ? { hide: true } : {}),
        response: { 200: schema, 503: schema }
      },
      handler: buildHandler(set, opts.exposeDetails)
    })
  }

  // Readiness goes to not_ready as soon as closing begins, and no request waits on a hanging check while the
  // server drains.
  app.addHook('preClose', (done) => {
    ready.startShutdown()
    health.cancelPending(CLOSING_MESSAGE)
    ready.cancelPending(CLOSING_MESSAGE)
    done()
  })
  app.addHook('onClose', async () => {
    health.cancelPending(CLOSING_MESSAGE)
    ready.cancelPending(CLOSING_MESSAGE)
    // A function registered in both sets is closed once.
    const closers = new Set<HealthCheckFn>()
    for (const check of [...health.checks, ...ready.checks]) {
      if (typeof check.fn.close === 'function') closers.add(check.fn)
    }
    await Promise.all([...closers].map(async fn => {
      try {
        await (fn.close as () => unknown)()
      } catch (err) {
        app.log.error({ err }, 'fastify-health: a check\'s close() failed')
      }
    }))
  })

  if (opts.gracefulShutdown !== null) installGracefulShutdown(app, ready, opts.gracefulShutdown)
}
