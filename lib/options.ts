import { constants } from 'node:os'
import type { FastifyRequest, LogLevel } from 'fastify'
import { FST_HEALTH_INVALID_OPTION } from './errors'
import type { CheckOptions, HealthPluginOptions, StatusChangeEvent } from './types'

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

/** The plugin options after validation, with every default filled in; built once per registration. */
export interface NormalisedOptions {
  path: string
  readyPath: string
  timeout: number
  cacheTtl: number
  /** `true`/`false` for a fixed policy, or the user's function, called per request. */
  exposeDetails: boolean | ((request: FastifyRequest) => boolean | Promise<boolean>)
  logLevel: LogLevel
  gracefulShutdown: { signals: NodeJS.Signals[], delay: number } | null
  onStatusChange: ((event: StatusChangeEvent) => void) | null
  openapi: { hide: boolean, tags: string[] }
}

export interface NormalisedCheckOptions {
  timeout: number
  critical: boolean
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

function routePath (name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw invalid(option(name), 'a string starting with "/"', value)
  return value
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function gracefulShutdown (value: unknown): NormalisedOptions['gracefulShutdown'] {
  if (value === undefined || value === false) return null
  if (value === true) return { signals: DEFAULT_SHUTDOWN_SIGNALS, delay: DEFAULT_SHUTDOWN_DELAY }
  if (!isPlainObject(value)) throw invalid(option('gracefulShutdown'), 'a boolean or an object { signals, delay }', value)
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
  if (value.hide !== undefined && typeof value.hide !== 'boolean') throw invalid(option('openapi.hide'), 'a boolean', value.hide)
  const tags = value.tags ?? ['health']
  if (!Array.isArray(tags) || !tags.every(t => typeof t === 'string')) throw invalid(option('openapi.tags'), 'an array of strings', tags)
  return { hide: value.hide === true, tags: [...tags] }
}

/** Validates the plugin options and fills in the defaults; throws FST_HEALTH_INVALID_OPTION naming the option. */
export function normaliseOptions (options: HealthPluginOptions): NormalisedOptions {
  // Fastify always passes an object (`{}` when register() got none).
  const opts = options as Record<string, unknown>
  const path = opts.path === undefined ? '/health' : routePath('path', opts.path)
  const readyPath = opts.readyPath === undefined ? '/health/ready' : routePath('readyPath', opts.readyPath)
  if (path === readyPath) throw invalid(option('readyPath'), `different from "path" (both are ${JSON.stringify(path)})`, readyPath)

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

  return {
    path,
    readyPath,
    timeout: opts.timeout === undefined ? DEFAULT_TIMEOUT : positiveMs(option('timeout'), opts.timeout),
    cacheTtl: opts.cacheTtl === undefined ? 0 : nonNegativeMs(option('cacheTtl'), opts.cacheTtl),
    exposeDetails: exposeDetails as NormalisedOptions['exposeDetails'],
    logLevel: logLevel as LogLevel,
    gracefulShutdown: gracefulShutdown(opts.gracefulShutdown),
    onStatusChange: onStatusChange as NormalisedOptions['onStatusChange'],
    openapi: openapi(opts.openapi)
  }
}

/** Validates the third argument of addHealthCheck / addReadyCheck. */
export function normaliseCheckOptions (method: string, name: string, options: CheckOptions | undefined, defaultTimeout: number): NormalisedCheckOptions {
  if (options === undefined) return { timeout: defaultTimeout, critical: true }
  const where = `${method}(${JSON.stringify(name)})`
  if (!isPlainObject(options)) throw invalid(`${where} options`, 'an object { timeout, critical }', options)
  const timeout = options.timeout === undefined ? defaultTimeout : positiveMs(`${where} option "timeout"`, options.timeout)
  if (options.critical !== undefined && typeof options.critical !== 'boolean') {
    throw invalid(`${where} option "critical"`, 'a boolean', options.critical)
  }
  return { timeout, critical: options.critical !== false }
}
