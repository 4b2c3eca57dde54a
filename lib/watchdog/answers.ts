import { STATUS_WORDS, type RunOutcome } from '../groups/group'
import { HEALTH_JSON, healthJson, mentionsHealthJson, prefersHealthJson } from '../formats/health-json'
import type { CheckResult } from '../formats/schema'
import { verboseText } from '../formats/verbose'
import type { CheckKind, ServiceInfo } from '../types'
import type { ProbePaths } from './protocol'

/** A probe route: the route of a kind, or of one check of it (`{path}/{name}`). */
export interface Route {
  kind: CheckKind
  name: string | null
}

/** An HTTP answer as the watchdog sends it. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | number>
  body: string | Uint8Array
}

/** A liveness report as the main thread last sent it: `checks` only when it exposed details. */
export interface LastReport {
  status: string
  checks?: Record<string, CheckResult>
}

const KINDS: readonly CheckKind[] = ['health', 'ready', 'startup']

/** The probe route a path names, with the main port's precedence: a static route wins over a check's route. */
export function matchRoute (paths: ProbePaths, pathname: string): Route | null {
  for (const kind of KINDS) if (pathname === paths[kind]) return { kind, name: null }
  for (const kind of KINDS) {
    // Under `/` the main port has no per-check routes.
    if (paths[kind] === '/') continue
    const base = `${paths[kind].replace(/\/$/, '')}/`
    const rest = pathname.startsWith(base) ? pathname.slice(base.length) : ''
    if (rest === '' || rest.includes('/')) continue
    const name = decodeName(rest)
    // A dot segment is not a check's name: resolved by a URL parser, it would name a route outside the probes.
    return name === '.' || name === '..' ? null : { kind, name }
  }
  return null
}

/**
 * The URL forwarded to the main thread for a route, rebuilt from its parts: the check's name encoded again, so that no
 * dot segment or backslash in what the client sent can make `app.inject()` (which parses it as a URL) reach another
 * route. The query string is kept as sent.
 */
export function forwardedUrl (paths: ProbePaths, route: Route, query: string): string {
  const base = paths[route.kind]
  const path = route.name === null ? base : `${base.replace(/\/$/, '')}/${encodeURIComponent(route.name)}`
  return path + query
}

function decodeName (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Fastify's own 404 for a path the watchdog does not serve, or a check's route while details are hidden. */
export function notFound (method: string, url: string): Answer {
  const body = JSON.stringify({ message: `Route ${method}:${url} not found`, error: 'Not Found', statusCode: 404 })
  return { status: 404, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body }
}

/** Why the watchdog answers for the main thread, and what it knows. */
export interface Situation {
  /** `busy`: the heartbeat is fresh but no answer came in time; `stuck`: no heartbeat for longer than `stuckAfter`. */
  reason: 'busy' | 'stuck'
  /** The entry's text: `busy: …` or `stuck: …`. */
  text: string
  /** Milliseconds since the main thread last answered (or since the watchdog started, if it never has). */
  sinceAnswer: number
  last: LastReport | undefined
}

export interface AnswerContext {
  details: boolean
  service: ServiceInfo
}

/** What the request asks for: its method, URL, `Accept` and whether `?verbose` is set. */
export interface Asked {
  method: string
  url: string
  accept: string | undefined
  verbose: boolean
}

/**
 * The answer the watchdog makes up when the main thread does not give one. Liveness, busy: the last liveness report
 * with a `main_thread` warn entry (warn counts as passing, so the code is the last report's). Stuck, and readiness or
 * startup without an answer: 503 with a failing `main_thread` entry. Formats and details as the main port applies them.
 */
export function madeUpAnswer (route: Route, situation: Situation, asked: Asked, ctx: AnswerContext): Answer {
  if (route.name !== null && !ctx.details) return notFound(asked.method, asked.url)
  const timestamp = Date.now() / 1000
  const words = STATUS_WORDS[route.kind]
  let checks: Record<string, CheckResult> = {}
  let ok = false
  if (route.kind === 'health' && situation.reason === 'busy') {
    const last = situation.last
    checks = pick(last?.checks ?? {}, route.name)
    const own = route.name === null ? undefined : checks[route.name]
    ok = route.name === null ? last?.status !== words.bad : own === undefined || own.status === 'pass' || own.status === 'warn'
    checks.main_thread = { status: 'warn', timestamp, duration: 0, observedValue: Math.round(situation.sinceAnswer), observedUnit: 'ms', output: situation.text }
  } else {
    checks.main_thread = { status: 'fail', timestamp, duration: 0, error: situation.text }
  }
  const code = ok ? 200 : 503
  const report = { status: ok ? words.ok : words.bad, timestamp, checks }
  const outcome = asOutcome(route.kind, code, report)
  if (asked.accept !== undefined && mentionsHealthJson(asked.accept) && prefersHealthJson(asked.accept)) {
    return made(code, HEALTH_JSON, healthJson(outcome, ctx.details, ctx.service))
  }
  if (ctx.details && asked.verbose) return made(code, 'text/plain; charset=utf-8', verboseText(outcome))
  return made(code, 'application/json; charset=utf-8', JSON.stringify(ctx.details ? report : { status: report.status, timestamp }))
}

/** The entries of the last report to repeat: all of them, or a check route's own. */
function pick (checks: Record<string, CheckResult>, name: string | null): Record<string, CheckResult> {
  if (name === null) return { ...checks }
  return Object.hasOwn(checks, name) ? { [name]: checks[name] } : {}
}

/** The report in the shape the formatters read: the checks in report order, `main_thread` as the plugin's own entry. */
function asOutcome (kind: CheckKind, code: number, report: { status: string, timestamp: number, checks: Record<string, CheckResult> }): RunOutcome {
  const states = Object.keys(report.checks).filter(name => name !== 'main_thread').map(name => ({ name }))
  const group = { words: STATUS_WORDS[kind] }
  return { code, report, summary: undefined, selection: { excluded: null, single: null }, states, group, extra: ['main_thread'] } as unknown as RunOutcome
}

function made (status: number, type: string, body: string): Answer {
  return { status, headers: { 'cache-control': 'no-store', 'content-type': type, 'content-length': String(Buffer.byteLength(body)) }, body }
}
