import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Availability } from './availability'
import type { CheckSet } from './check-set'
import type { NormalisedOptions } from './options'
import type { StatusLog } from './status-log'
import type { CheckKind } from './types'

/** What the integrations reach of a registered app: kept under a symbol, out of the public API. */
export interface Internals {
  readonly sets: Record<CheckKind, CheckSet>
  readonly availability: Availability
  readonly statusLog: StatusLog
  readonly opts: NormalisedOptions
  readonly log: FastifyBaseLogger
}

export const INTERNALS = Symbol('fastify-health internals')

/** The internals of an app the plugin is registered on, or undefined. */
export function internals (app: FastifyInstance): Internals | undefined {
  return (app as unknown as Record<symbol, Internals | undefined>)[INTERNALS]
}
