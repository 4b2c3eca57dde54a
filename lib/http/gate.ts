import { performance } from 'node:perf_hooks'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import { contain } from '../callbacks'
import { detailsFrom } from './details'
import { FST_HEALTH_DEPENDENCY_UNAVAILABLE, FST_HEALTH_UNKNOWN_CHECK } from '../errors'
import type { CheckStatus } from '../formats/schema'
import { closest, invalid, rejectUnknownKeys } from '../options'

/** A check as a route gate sees it: read, never run. */
export interface GateTarget {
  readonly name: string
  /** Whether the check runs in the background (has an `interval`); an on-demand one is only as fresh as its last run. */
  readonly background: boolean
  /** Its effective status (after thresholds), or null before its first result. */
  status: () => CheckStatus | null
  /** ms from `now` (performance.now()) to its next background run, back-off included, or null when none is due. */
  retryAfterMs: (now: number) => number | null
}

/** Where a gate finds the checks a route names: any check, whatever its kind or group. */
export interface GateSource {
  lookup: (name: string) => GateTarget | undefined
  /** Every name `lookup` knows, for a "did you mean". */
  names: () => readonly string[]
}

export interface GateOptions {
  /** The details policy: whether the 503's message names the failing checks, for a request. */
  exposeDetails: boolean | ((request: FastifyRequest) => unknown)
  /** Bound on a details policy function, in ms. */
  timeout: number
}

const DEFAULT_RETRY_AFTER = 5
const CONFIG_KEYS = ['requires', 'retryAfter']
const GENERIC = 'a dependency of this route is unavailable'

const passing = (status: CheckStatus | null): boolean => status === null || status === 'pass' || status === 'warn'

interface RouteGate {
  readonly where: string
  readonly names: readonly string[]
  readonly retryAfter: number
  targets: GateTarget[]
}

function routeName (route: RouteOptions): string {
  const method = Array.isArray(route.method) ? route.method.join(',') : route.method
  return `${method} ${route.url}`
}

/** Validates a route's `config.health` once, when the route is registered. */
function routeGate (route: RouteOptions, config: unknown): RouteGate {
  const where = routeName(route)
  const subject = `route ${where} config.health`
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw invalid(subject, 'an object { requires, retryAfter }', config)
  const value = config as Record<string, unknown>
  rejectUnknownKeys(subject, value, CONFIG_KEYS)
  const requires = value.requires
  if (!Array.isArray(requires) || requires.length === 0 || !requires.every(name => typeof name === 'string' && name !== '')) {
    throw invalid(`${subject}.requires`, 'a non-empty array of check names', requires)
  }
  const retryAfter = value.retryAfter ?? DEFAULT_RETRY_AFTER
  if (typeof retryAfter !== 'number' || !Number.isFinite(retryAfter) || retryAfter <= 0) {
    throw invalid(`${subject}.retryAfter`, 'a positive finite number of seconds', retryAfter)
  }
  return { where, names: [...new Set(requires as string[])], retryAfter: Math.ceil(retryAfter), targets: [] }
}

/** Whole seconds until the failing checks may have recovered: the latest of their next runs, at least 1. */
function retryAfterSeconds (failing: readonly GateTarget[], fallback: number): number {
  const now = performance.now()
  let seconds = 1
  for (const target of failing) {
    const ms = target.retryAfterMs(now)
    seconds = Math.max(seconds, ms === null ? fallback : Math.ceil(ms / 1000))
  }
  return seconds
}

function unavailable (failing: readonly GateTarget[], details: boolean): Error {
  if (!details) return new FST_HEALTH_DEPENDENCY_UNAVAILABLE(GENERIC)
  const list = failing.map(target => `${JSON.stringify(target.name)} (${target.status() as CheckStatus})`).join(', ')
  return new FST_HEALTH_DEPENDENCY_UNAVAILABLE(`required ${failing.length === 1 ? 'check' : 'checks'} failing: ${list}`)
}

/** The onRequest hook of one gated route, built once. While every target passes it costs a loop of reads. */
function gateHook (gate: RouteGate, options: GateOptions): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const { exposeDetails: policy, timeout } = options
  return function healthGate (request, reply, done) {
    const targets = gate.targets
    let failing: GateTarget[] | undefined
    for (let i = 0; i < targets.length; i++) {
      if (!passing(targets[i].status())) (failing ??= []).push(targets[i])
    }
    if (failing === undefined) {
      done()
      return
    }
    reply.header('retry-after', String(retryAfterSeconds(failing, gate.retryAfter)))
    if (typeof policy === 'boolean') {
      done(unavailable(failing, policy))
      return
    }
    const settled = contain(policy, request, timeout)
    const list = failing
    if (!(settled instanceof Promise)) {
      done(unavailable(list, detailsFrom(settled, request.log, timeout)))
      return
    }
    settled.then(result => { done(unavailable(list, detailsFrom(result, request.log, timeout))) }, /* c8 ignore next */ done)
  }
}

function withHook (existing: RouteOptions['onRequest'], hook: NonNullable<RouteOptions['onRequest']>): RouteOptions['onRequest'] {
  if (existing === undefined) return [hook] as RouteOptions['onRequest']
  const list = (Array.isArray(existing) ? existing : [existing]) as unknown[]
  return [...list, hook] as RouteOptions['onRequest']
}

/**
 * Gates the routes registered from now on in `app`'s context and below that declare `config.health.requires`: such
 * a route gets an onRequest hook (after its own) that answers 503 with `Retry-After`, through the app's error
 * handling, while a required check is failing. Routes without `config.health` get no hook. The names are resolved at
 * `app.ready()`, when every check has been added: an unknown one fails it, and a required check without an
 * `interval` is warned about once, since it is only as fresh as its last on-demand run.
 */
export function installGate (app: FastifyInstance, source: GateSource, options: GateOptions): void {
  const gates: RouteGate[] = []
  app.addHook('onRoute', route => {
    const config = route.config as { health?: unknown } | undefined
    if (config?.health === undefined) return
    const gate = routeGate(route, config.health)
    gates.push(gate)
    // Fastify builds the automatic HEAD route from the GET route's options as they were before this hook: it gets
    // a gate of its own.
    route.onRequest = withHook(route.onRequest, gateHook(gate, options))
  })
  app.addHook('onReady', function resolveGates (done) {
    const warned = new Set<string>()
    for (const gate of gates) {
      const targets: GateTarget[] = []
      for (const name of gate.names) {
        const target = source.lookup(name)
        if (target === undefined) {
          const guess = closest(name, source.names())
          done(new FST_HEALTH_UNKNOWN_CHECK(`route ${gate.where} config.health.requires names ${JSON.stringify(name)}, which is not a registered check${guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`}`))
          return
        }
        targets.push(target)
        if (!target.background && !warned.has(name)) {
          warned.add(name)
          app.log.warn(`fastify-health: check ${JSON.stringify(name)} is required by a route (${gate.where}) but has no "interval": the route sees its status only as fresh as the last probe that ran it; give it an interval`)
        }
      }
      gate.targets = targets
    }
    done()
  })
}
