import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { contain, logThrown, type Settlement } from '../callbacks'
import type { NormalisedOptions } from '../options'

type Policy = NormalisedOptions['exposeDetails']

/**
 * Whether a settled details policy allows details: only `true` does. A policy that threw or did not settle within
 * `timeout` hides them, and says so in the log.
 */
export function detailsFrom (settled: Settlement, log: FastifyBaseLogger, timeout: number): boolean {
  if (settled.outcome === 'value') return settled.value === true
  if (settled.outcome === 'threw') logThrown(log, 'warn', settled.error, 'fastify-health: exposeDetails failed; answering without details')
  else log.warn(`fastify-health: exposeDetails did not settle within ${timeout} ms; answering without details`)
  return false
}

/** Runs the user's details policy for a request, contained and bounded by `timeout`. */
export async function decide (policy: Policy, request: FastifyRequest, timeout: number): Promise<boolean> {
  if (typeof policy === 'boolean') return policy
  return detailsFrom(await contain(policy, request, timeout), request.log, timeout)
}
