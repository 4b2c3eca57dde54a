import type { FastifyBaseLogger } from 'fastify'
import { REMOTE } from './checks/remote'

/** What the lint reads of a liveness check. */
export interface LintedCheck {
  readonly name: string
  readonly fn: unknown
  readonly critical: boolean
  readonly impact: 'instance' | 'fleet'
}

/** The ready-made factory that built `fn`, when it is one that calls another service. */
function remoteFactory (fn: unknown): string | undefined {
  try {
    const factory = (fn as Record<symbol, unknown>)[REMOTE]
    return typeof factory === 'string' ? factory : undefined
  } catch {
    // A proxy whose getter throws is not one of the ready-made checks.
    return undefined
  }
}

/**
 * Warns once per critical liveness check built by `http()` or `tcp()`, unless it has `impact: 'fleet'`: when the
 * service it calls fails, every instance fails liveness and is restarted, and restarting fixes nothing.
 */
export function lintLiveness (log: FastifyBaseLogger, checks: readonly LintedCheck[]): void {
  for (const check of checks) {
    if (!check.critical || check.impact === 'fleet') continue
    const factory = remoteFactory(check.fn)
    if (factory === undefined) continue
    log.warn(`fastify-health: liveness check ${JSON.stringify(check.name)} calls another service (${factory}()): when that service fails, every instance fails liveness and is restarted, which fixes nothing. Make it a readiness check (addReadyCheck), require it from the routes that need it (config.health.requires), or give it { impact: 'fleet' }`)
  }
}
