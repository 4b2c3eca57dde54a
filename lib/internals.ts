import type { FastifyInstance } from 'fastify'
import type { Availability } from './groups/availability'
import type { Groups } from './groups/groups'
import type { NormalisedOptions } from './options'
import type { Registry } from './registry/registry'
import type { StatusLog } from './status-log'
import { FST_HEALTH_NOT_REGISTERED } from './errors'

/** What the integrations (metrics, publishers, gRPC, route gates) read of a registration. */
export interface Internals {
  readonly registry: Registry
  readonly groups: Groups
  readonly availability: Availability
  readonly opts: NormalisedOptions
  /** Every reported change, the app's own included, and the shutdown and close of the app. */
  readonly statusLog: StatusLog
}

/** The decorator that holds them: a symbol, so that it is no part of the app's public surface. */
export const kInternals = Symbol.for('fastify-health.internals')

/** The internals of the plugin registered on `app` (or an ancestor context); throws when there is none. */
export function internals (app: FastifyInstance): Internals {
  const found = (app as unknown as Record<symbol, Internals | undefined>)[kInternals]
  if (found === undefined) throw new FST_HEALTH_NOT_REGISTERED('fastify-health is not registered on this app (register the plugin before using its integrations)')
  return found
}
