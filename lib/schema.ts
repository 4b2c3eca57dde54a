import { Type, type Static } from '@sinclair/typebox'

/**
 * TypeBox schemas of the two reports. Fastify compiles them into the routes' response serialisers once, at
 * registration; the same schemas describe the routes in an OpenAPI document when @fastify/swagger is present.
 */

/** `pass`: the check returned `true`; `fail`: it returned `false`; `error`: it threw, rejected, timed out or returned a non-boolean. */
export const CheckStatusSchema = Type.Union([
  Type.Literal('pass'),
  Type.Literal('fail'),
  Type.Literal('error')
], { description: 'Outcome of one check' })

export const CheckResultSchema = Type.Object({
  status: CheckStatusSchema,
  error: Type.Optional(Type.String({ description: 'Why the check errored: the thrown message, a timeout, or a non-boolean result' })),
  timestamp: Type.Number({ description: 'When the check settled, in seconds since the epoch with millisecond precision' }),
  duration: Type.Number({ description: 'How long the check took, in milliseconds' }),
  critical: Type.Optional(Type.Boolean({ description: 'Present, and false, for a check that does not affect the overall status' }))
})

export const ChecksSchema = Type.Record(Type.String(), CheckResultSchema, {
  description: 'One entry per registered check, keyed by its name'
})

export const HealthReportSchema = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
  timestamp: Type.Number({ description: 'When the report was produced, in seconds since the epoch with millisecond precision' }),
  checks: Type.Optional(ChecksSchema)
}, { description: 'Liveness report' })

export const ReadyReportSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  timestamp: Type.Number({ description: 'When the report was produced, in seconds since the epoch with millisecond precision' }),
  checks: Type.Optional(ChecksSchema)
}, { description: 'Readiness report' })

export type CheckStatus = Static<typeof CheckStatusSchema>
export type CheckResult = Static<typeof CheckResultSchema>
export type HealthReport = Static<typeof HealthReportSchema>
export type ReadyReport = Static<typeof ReadyReportSchema>
