import Fastify, { type FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import healthPlugin from '../../lib/index'
import type { HealthPluginOptions } from '../../lib/types'
import { captureLogs, type CapturedLogs } from './logs'

/**
 * A Fastify app with the plugin registered from source and a trace-level logger writing into `log`, closed when the
 * test ends.
 */
export async function buildApp (t: Test, options: HealthPluginOptions = {}): Promise<{ app: FastifyInstance, log: CapturedLogs }> {
  const log = captureLogs()
  const app = Fastify({ logger: { level: 'trace', stream: log.stream } })
  t.teardown(() => app.close())
  await app.register(healthPlugin, options)
  return { app, log }
}

/** A timestamp in float seconds with (at most) millisecond precision. */
export function isSecondsWithMs (value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false
  const ms = value * 1000
  return Math.abs(ms - Math.round(ms)) < 1e-3 && value > 1e9 && value < 1e11
}
