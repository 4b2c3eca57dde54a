import { constants } from 'node:os'
import type { FastifyRequest, LogLevel } from 'fastify'
import { FST_HEALTH_INVALID_OPTION } from './errors'
import type { CheckImpact, CheckOptions, HealthPluginOptions, ServiceInfo, StatusChangeEvent } from './types'
import { editDistance } from './edit-distance'

export const DEFAULT_TIMEOUT = 800
export const DEFAULT_SHUTDOWN_DELAY = 5000
export const DEFAULT_SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']
const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
// setTimeout treats a longer delay as 1 ms, which would close the app at once instead of after the delay.
const MAX_DELAY = 2 ** 31 - 1
// A process cannot listen to these: process.on() would throw a bare `uv_signal_start EINVAL`.
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP'])

const isListenableSignal = (signal: unknown): boolean =>
  typeof signal === 'string' && Object.hasOwn(constants.signals, signal) && !UNCATCHABLE.has(signal)

export const DEFAULT_CLOSE_TIMEOUT = 5000
export const DEFAULT_STUCK_AFTER = 10_000

/** The plugin options after validation, with every default filled in; built once per registration. */
export interface NormalisedOptions {
  /** Put before every path the plugin adds, custom groups' included. */
  prefix: string
  path: string
  readyPath: string
  startupPath: string
  /** Whether each probe and group route has a route per check, `{path}/{name}`. */
  checkRoutes: boolean
  /** The custom groups declared in the plugin options. */
  groups: Array<[string, GroupOptions]>
  timeout: number
  cacheTtl: number
  /** What a check gets for the options it does not set. */
  checkDefaults: CheckDefaults
  closeTimeout: number
  escalateAfter: number | null
  service: ServiceInfo
  /** `true`/`false` for a fixed policy, or the user's function, called per request. */
  exposeDetails: boolean | ((request: FastifyRequest) => boolean | Promise<boolean>)
  logLevel: LogLevel
  gracefulShutdown: { signals: NodeJS.Signals[], delay: number } | null
  onStatusChange: ((event: StatusChangeEvent) => unknown) | null
  openapi: { hide: boolean, tags: string[] }
  /** Seconds between reloads of the status page, or null when it is off. */
  statusPage: { refresh: number } | null
  /** The watchdog thread's port, host and stuck threshold, or null when it is off. */
  watchdog: { port: number, host: string | undefined, stuckAfter: number } | null
}

/** The plugin-wide defaults of check options. */
export interface CheckDefaults {
  timeout: number
  interval: number | null
  failureThreshold: number
  successThreshold: number
}

export interface NormalisedCheckOptions {
  timeout: number
  critical: boolean
  interval: number | null
  /** As set; null to measure staleness against the current delay. */
  staleAfter: number | null
  failureThreshold: number
  successThreshold: number
  maxInterval: number | null
  impact: CheckImpact
  fleetGrace: number | null
  /** The custom groups the check also belongs to. */
  groups: string[]
  dependsOn: string[]
}

/** A custom group's options after validation; the path is filled in when its routes are added. */
export interface GroupOptions {
  path: string | undefined
  exposeDetails: NormalisedOptions['exposeDetails'] | undefined
}

const PLUGIN_KEYS = ['path', 'readyPath', 'startupPath', 'prefix', 'timeout', 'cacheTtl', 'interval', 'failureThreshold',
  'successThreshold', 'closeTimeout', 'escalateAfter', 'exposeDetails', 'logLevel', 'gracefulShutdown', 'onStatusChange',
  'service', 'openapi', 'groups', 'checkRoutes', 'statusPage', 'metrics', 'watchdog']
const CHECK_KEYS = ['timeout', 'critical', 'interval', 'staleAfter', 'failureThreshold', 'successThreshold', 'maxInterval',
  'groups', 'dependsOn', 'impact', 'fleetGrace']
const GROUP_KEYS = ['path', 'exposeDetails']
// Letters, digits, `_`, `-` and `.`: a group's name is a path segment and a metrics attribute as it is.
const GROUP_NAME = /^[A-Za-z0-9_.-]+$/
const SERVICE_KEYS = ['serviceId', 'version', 'releaseId', 'description']

/** The known key closest to a misspelt one, if any is close enough to be what was meant. */
export function closest (key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined
}

/** Rejects keys that are not options: a misspelt one would be ignored and the default used instead, silently. */
export function rejectUnknownKeys (subject: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    const guess = closest(key, known)
    throw new FST_HEALTH_INVALID_OPTION(`${subject} has an unknown key ${JSON.stringify(key)}${guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`}; known keys: ${known.join(', ')}`)
  }
}

function show (value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || Array.isArray(value)) return value === null ? 'null' : 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/**
 * The error for a bad option. `subject` names it the way the user wrote it: `option "timeout"`, or
 * `addHealthCheck("db") option "timeout"`.
 */
export function invalid (subject: string, expected: string, value: unknown): Error {
  return new FST_HEALTH_INVALID_OPTION(`${subject} must be ${expected}, received ${show(value)}`)
}

const option = (name: string): string => `option "${name}"`

export function positiveMs (subject: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(subject, 'a positive finite number of milliseconds', value)
  }
  return value
}

export function nonNegativeMs (subject: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(subject, 'a non-negative finite number of milliseconds', value)
  }
  return value
}

// Characters that make a route parametric or a wildcard, start a query or fragment, or cannot be in a path at all.
const NOT_STATIC = /[*:?#\s\p{Cc}]/u

/** A static path, without a trailing slash (but `/`): `/health/` and `/health` are one route's path here. */
export function routePath (subject: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || NOT_STATIC.test(value)) {
    throw invalid(subject, 'a static path starting with "/" (no "*", ":", "?", "#", whitespace or control characters)', value)
  }
  return value.replace(/\/+$/, '') || '/'
}

export function positiveInteger (subject: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw invalid(subject, 'a positive integer', value)
  return value as number
}

function timerMs (subject: string, value: unknown): number {
  const ms = positiveMs(subject, value)
  if (ms > MAX_DELAY) throw invalid(subject, `at most ${MAX_DELAY} ms`, ms)
  return ms
}

function service (value: unknown): ServiceInfo {
  if (value === undefined) return {}
  if (!isPlainObject(value)) throw invalid(option('service'), 'an object { serviceId, version, releaseId, description }', value)
  rejectUnknownKeys(option('service'), value, SERVICE_KEYS)
  for (const key of SERVICE_KEYS) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw invalid(option(`service.${key}`), 'a string', value[key])
  }
  return { ...value }
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function gracefulShutdown (value: unknown): NormalisedOptions['gracefulShutdown'] {
  if (value === undefined || value === false) return null
  if (value === true) return { signals: DEFAULT_SHUTDOWN_SIGNALS, delay: DEFAULT_SHUTDOWN_DELAY }
  if (!isPlainObject(value)) throw invalid(option('gracefulShutdown'), 'a boolean or an object { signals, delay }', value)
  rejectUnknownKeys(option('gracefulShutdown'), value, ['signals', 'delay'])
  const signals = value.signals ?? DEFAULT_SHUTDOWN_SIGNALS
  if (!Array.isArray(signals) || signals.length === 0) {
    throw invalid(option('gracefulShutdown.signals'), 'a non-empty array of signal names such as "SIGTERM"', signals)
  }
  const bad = signals.find(signal => !isListenableSignal(signal))
  if (bad !== undefined) {
    throw invalid(option('gracefulShutdown.signals'), 'signal names that a process can listen to, such as "SIGTERM" (not SIGKILL or SIGSTOP)', bad)
  }
  const delay = value.delay === undefined ? DEFAULT_SHUTDOWN_DELAY : nonNegativeMs(option('gracefulShutdown.delay'), value.delay)
  if (delay > MAX_DELAY) throw invalid(option('gracefulShutdown.delay'), `at most ${MAX_DELAY} ms`, delay)
  return { signals: [...new Set(signals as NodeJS.Signals[])], delay }
}

function openapi (value: unknown): NormalisedOptions['openapi'] {
  if (value === undefined) return { hide: false, tags: ['health'] }
  if (!isPlainObject(value)) throw invalid(option('openapi'), 'an object { hide, tags }', value)
  rejectUnknownKeys(option('openapi'), value, ['hide', 'tags'])
  if (value.hide !== undefined && typeof value.hide !== 'boolean') throw invalid(option('openapi.hide'), 'a boolean', value.hide)
  const tags = value.tags ?? ['health']
  if (!Array.isArray(tags) || !tags.every(t => typeof t === 'string')) throw invalid(option('openapi.tags'), 'an array of strings', tags)
  return { hide: value.hide === true, tags: [...tags] }
}

export const DEFAULT_STATUS_PAGE_REFRESH = 10

function statusPage (value: unknown): NormalisedOptions['statusPage'] {
  if (value === undefined || value === false) return null
  if (value === true) return { refresh: DEFAULT_STATUS_PAGE_REFRESH }
  if (!isPlainObject(value)) throw invalid(option('statusPage'), 'a boolean or an object { refresh }', value)
  rejectUnknownKeys(option('statusPage'), value, ['refresh'])
  const refresh = value.refresh === undefined ? DEFAULT_STATUS_PAGE_REFRESH : positiveInteger(option('statusPage.refresh'), value.refresh)
  return { refresh }
}

function watchdog (value: unknown): NormalisedOptions['watchdog'] {
  if (value === undefined) return null
  if (!isPlainObject(value)) throw invalid(option('watchdog'), 'an object { port, host, stuckAfter }', value)
  rejectUnknownKeys(option('watchdog'), value, ['port', 'host', 'stuckAfter'])
  const port = value.port
  if (!Number.isSafeInteger(port) || (port as number) < 0 || (port as number) > 65535) {
    throw invalid(option('watchdog.port'), 'a port number from 0 to 65535 (0: one the system picks)', port)
  }
  if (value.host !== undefined && (typeof value.host !== 'string' || value.host === '')) {
    throw invalid(option('watchdog.host'), 'a non-empty string: an address or a host name', value.host)
  }
  const stuckAfter = value.stuckAfter === undefined ? DEFAULT_STUCK_AFTER : timerMs(option('watchdog.stuckAfter'), value.stuckAfter)
  // The heartbeat is written every stuckAfter / 5 ms: below 100 ms that is a timer every few milliseconds.
  if (stuckAfter < 100) throw invalid(option('watchdog.stuckAfter'), 'at least 100 ms', stuckAfter)
  return { port: port as number, host: value.host, stuckAfter }
}

/** Validates the plugin options and fills in the defaults; throws FST_HEALTH_INVALID_OPTION naming the option. */
export function normaliseOptions (options: HealthPluginOptions): NormalisedOptions {
  // Fastify always passes an object (`{}` when register() got none).
  const opts = options as Record<string, unknown>
  rejectUnknownKeys('plugin options', opts, PLUGIN_KEYS)
  // Fastify applies `prefix` only to encapsulated plugins; this one shares its decorators with the registering
  // context, so it applies the prefix itself.
  const prefix = opts.prefix === undefined ? '' : routePath(option('prefix'), opts.prefix).replace(/\/+$/, '')
  const path = prefix + (opts.path === undefined ? '/health' : routePath(option('path'), opts.path))
  const readyPath = prefix + (opts.readyPath === undefined ? '/health/ready' : routePath(option('readyPath'), opts.readyPath))
  const startupPath = prefix + (opts.startupPath === undefined ? '/health/started' : routePath(option('startupPath'), opts.startupPath))
  if (path === readyPath) throw invalid(option('readyPath'), `different from "path" (both are ${JSON.stringify(path)})`, readyPath)
  if (startupPath === path || startupPath === readyPath) {
    throw invalid(option('startupPath'), `different from "path" and "readyPath" (${JSON.stringify(startupPath)} is taken)`, startupPath)
  }
  const timeout = opts.timeout === undefined ? DEFAULT_TIMEOUT : positiveMs(option('timeout'), opts.timeout)

  const exposeDetails = opts.exposeDetails ?? true
  if (typeof exposeDetails !== 'boolean' && typeof exposeDetails !== 'function') {
    throw invalid(option('exposeDetails'), 'a boolean or a function (request) => boolean', exposeDetails)
  }
  const logLevel = opts.logLevel ?? 'warn'
  if (typeof logLevel !== 'string' || !LOG_LEVELS.has(logLevel)) {
    throw invalid(option('logLevel'), `one of ${[...LOG_LEVELS].join(', ')}`, logLevel)
  }
  const onStatusChange = opts.onStatusChange ?? null
  if (onStatusChange !== null && typeof onStatusChange !== 'function') {
    throw invalid(option('onStatusChange'), 'a function (event) => void', onStatusChange)
  }

  if (opts.checkRoutes !== undefined && typeof opts.checkRoutes !== 'boolean') throw invalid(option('checkRoutes'), 'a boolean', opts.checkRoutes)

  return {
    prefix,
    path,
    readyPath,
    startupPath,
    checkRoutes: opts.checkRoutes !== false,
    groups: groups(opts.groups, prefix),
    timeout,
    cacheTtl: opts.cacheTtl === undefined ? 0 : nonNegativeMs(option('cacheTtl'), opts.cacheTtl),
    checkDefaults: {
      timeout,
      interval: opts.interval === undefined ? null : timerMs(option('interval'), opts.interval),
      failureThreshold: opts.failureThreshold === undefined ? 1 : positiveInteger(option('failureThreshold'), opts.failureThreshold),
      successThreshold: opts.successThreshold === undefined ? 1 : positiveInteger(option('successThreshold'), opts.successThreshold)
    },
    closeTimeout: opts.closeTimeout === undefined ? DEFAULT_CLOSE_TIMEOUT : timerMs(option('closeTimeout'), opts.closeTimeout),
    escalateAfter: opts.escalateAfter === undefined ? null : timerMs(option('escalateAfter'), opts.escalateAfter),
    service: service(opts.service),
    exposeDetails: exposeDetails as NormalisedOptions['exposeDetails'],
    logLevel: logLevel as LogLevel,
    gracefulShutdown: gracefulShutdown(opts.gracefulShutdown),
    onStatusChange: onStatusChange as NormalisedOptions['onStatusChange'],
    openapi: openapi(opts.openapi),
    statusPage: statusPage(opts.statusPage),
    watchdog: watchdog(opts.watchdog)
  }
}

/** Validates a custom group's name and options (plugin option `groups`, `app.health.addGroup()`). */
export function groupOptions (subject: string, name: unknown, value: unknown, prefix = ''): GroupOptions {
  if (typeof name !== 'string' || !GROUP_NAME.test(name)) throw invalid(`${subject} name`, 'a string of letters, digits, "_", "-" and "."', name)
  if (value === undefined) return { path: undefined, exposeDetails: undefined }
  if (!isPlainObject(value)) throw invalid(`${subject} ${JSON.stringify(name)}`, 'an object { path, exposeDetails }', value)
  rejectUnknownKeys(`${subject} ${JSON.stringify(name)}`, value, GROUP_KEYS)
  const exposeDetails = value.exposeDetails
  if (exposeDetails !== undefined && typeof exposeDetails !== 'boolean' && typeof exposeDetails !== 'function') {
    throw invalid(`${subject} ${JSON.stringify(name)} option "exposeDetails"`, 'a boolean or a function (request) => boolean', exposeDetails)
  }
  return {
    path: value.path === undefined ? undefined : prefix + routePath(`${subject} ${JSON.stringify(name)} option "path"`, value.path),
    exposeDetails: exposeDetails as GroupOptions['exposeDetails']
  }
}

function groups (value: unknown, prefix: string): Array<[string, GroupOptions]> {
  if (value === undefined) return []
  if (!isPlainObject(value)) throw invalid(option('groups'), 'an object { [name]: { path, exposeDetails } }', value)
  return Object.keys(value).map(name => [name, groupOptions('option "groups": group', name, value[name], prefix)])
}

function names (subject: string, value: unknown, required: boolean): string[] {
  if (value === undefined && !required) return []
  if (!Array.isArray(value) || (required && value.length === 0) || !value.every(name => typeof name === 'string' && name !== '')) {
    throw invalid(subject, `${required ? 'a non-empty' : 'an'} array of names`, value)
  }
  return [...new Set(value as string[])]
}

/** Validates the third argument of addHealthCheck / addReadyCheck / addStartupCheck / addCheck. */
export function normaliseCheckOptions (method: string, name: string, options: CheckOptions | undefined, defaults: CheckDefaults, groupsRequired = false): NormalisedCheckOptions {
  const where = `${method}(${JSON.stringify(name)})`
  const opts: Record<string, unknown> = options === undefined ? {} : options as Record<string, unknown>
  if (!isPlainObject(opts)) throw invalid(`${where} options`, `an object with the keys ${CHECK_KEYS.join(', ')}`, options)
  rejectUnknownKeys(`${where} options`, opts, CHECK_KEYS)
  const subject = (key: string): string => `${where} option "${key}"`
  const timeout = opts.timeout === undefined ? defaults.timeout : positiveMs(subject('timeout'), opts.timeout)
  if (opts.critical !== undefined && typeof opts.critical !== 'boolean') throw invalid(subject('critical'), 'a boolean', opts.critical)
  const interval = opts.interval === undefined ? defaults.interval : timerMs(subject('interval'), opts.interval)
  if (interval === null) {
    for (const key of ['staleAfter', 'maxInterval']) {
      if (opts[key] !== undefined) throw invalid(subject(key), 'set only together with "interval" (on the check or the plugin)', opts[key])
    }
  }
  const staleAfter = opts.staleAfter === undefined ? null : timerMs(subject('staleAfter'), opts.staleAfter)
  // A result is as old as the interval just before the next one, and a run may take up to its timeout: a shorter
  // limit would make a passing check read stale.
  if (staleAfter !== null && (staleAfter < (interval as number) || staleAfter < timeout)) {
    throw invalid(subject('staleAfter'), `at least "interval" (${interval as number} ms) and "timeout" (${timeout} ms), else a passing check reads stale`, staleAfter)
  }
  const maxInterval = opts.maxInterval === undefined ? null : timerMs(subject('maxInterval'), opts.maxInterval)
  if (maxInterval !== null && maxInterval < (interval as number)) throw invalid(subject('maxInterval'), `at least "interval" (${interval as number} ms)`, maxInterval)
  const { impact, fleetGrace } = impactOptions(subject, opts.impact, opts.fleetGrace)
  const groupNames = names(subject('groups'), opts.groups, groupsRequired)
  const bad = groupNames.find(group => !GROUP_NAME.test(group))
  if (bad !== undefined) throw invalid(subject('groups'), 'group names of letters, digits, "_", "-" and "."', bad)
  return {
    groups: groupNames,
    dependsOn: names(subject('dependsOn'), opts.dependsOn, false),
    timeout,
    critical: opts.critical !== false,
    interval,
    staleAfter,
    failureThreshold: opts.failureThreshold === undefined ? defaults.failureThreshold : positiveInteger(subject('failureThreshold'), opts.failureThreshold),
    successThreshold: opts.successThreshold === undefined ? defaults.successThreshold : positiveInteger(subject('successThreshold'), opts.successThreshold),
    maxInterval,
    impact,
    fleetGrace
  }
}

function impactOptions (subject: (key: string) => string, impact: unknown, fleetGrace: unknown): { impact: CheckImpact, fleetGrace: number | null } {
  if (impact !== undefined && impact !== 'instance' && impact !== 'fleet') throw invalid(subject('impact'), '"instance" or "fleet"', impact)
  if (fleetGrace === undefined) return { impact: impact ?? 'instance', fleetGrace: null }
  if (impact !== 'fleet') throw invalid(subject('fleetGrace'), 'set only together with impact: "fleet"', fleetGrace)
  return { impact, fleetGrace: timerMs(subject('fleetGrace'), fleetGrace) }
}
