import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import healthPlugin from '../../lib/index'
import type { HealthPluginOptions } from '../../lib/types'
import { childEnv } from './process'
import { captureLogs, type CapturedLogs } from './logs'

/** A promise with its resolve/reject exposed, so that a test decides when a check settles. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (reason?: unknown) => void
}

export function deferred<T = boolean> (): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason?: unknown) => void
  const promise = new Promise<T>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  return { promise, resolve, reject }
}

/** Resolves after `promise` has settled (either way) and a full turn of the event loop has run after it. */
export async function settled (promise: PromiseLike<unknown>): Promise<void> {
  await Promise.resolve(promise).then(() => {}, () => {})
  await new Promise(resolve => setImmediate(resolve))
}

/** An app with the plugin registered and a trace-level logger writing into `log`. Closed by the caller. */
export async function buildApp (options: HealthPluginOptions = {}): Promise<{ app: FastifyInstance, log: CapturedLogs }> {
  const log = captureLogs()
  const app = Fastify({ logger: { level: 'trace', stream: log.stream } })
  await app.register(healthPlugin, options)
  return { app, log }
}

/**
 * Records every 'unhandledRejection' and 'warning' the process emits while a test runs. Having a listener for
 * 'unhandledRejection' keeps Node from crashing, so the test can assert on what arrived instead.
 */
export function watchProcess (t: { teardown: (fn: () => void) => void }): { rejections: unknown[], warnings: Error[] } {
  const seen = { rejections: [] as unknown[], warnings: [] as Error[] }
  const onRejection = (reason: unknown): void => { seen.rejections.push(reason) }
  const onWarning = (warning: Error): void => { seen.warnings.push(warning) }
  process.on('unhandledRejection', onRejection)
  process.on('warning', onWarning)
  t.teardown(() => {
    process.removeListener('unhandledRejection', onRejection)
    process.removeListener('warning', onWarning)
  })
  return seen
}

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Milliseconds from spawn to exit. */
  elapsed: number
}

/**
 * Runs test/fixtures/<name> under tsx's loader and waits for it to exit (killed after `limit` ms, so that a
 * fixture that hangs fails the test instead of the whole suite). The child stays out of tap's coverage.
 */
export async function runFixture (name: string, limit = 20_000): Promise<ChildResult> {
  // Out of the coverage report: tsx's source maps would garble the merged report (see childEnv).
  const env = childEnv()
  const start = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'fixtures', name)], {
    cwd: join(__dirname, '..', '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const killer = setTimeout(() => child.kill('SIGKILL'), limit)
  const [code, signal] = await once(child, 'close') as [number | null, NodeJS.Signals | null]
  clearTimeout(killer)
  return { code, signal, stdout, stderr, elapsed: performance.now() - start }
}

/** A timestamp in float seconds with (at most) millisecond precision. */
export function isSecondsWithMs (value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false
  const ms = value * 1000
  return Math.abs(ms - Math.round(ms)) < 1e-3 && value > 1e9 && value < 1e11
}
