import { Type, type Static, type TSchema, type TUnion } from '@sinclair/typebox'

/**
 * TypeBox schemas of the reports. Fastify compiles them into the routes' response serialisers once, at registration;
 * the same schemas describe the routes in an OpenAPI document when @fastify/swagger is present.
 */

/**
 * `pass`: the check returned `true` (or `{ status: 'pass' }`); `warn`: it returned `{ status: 'warn' }`, which counts
 * as passing; `fail`: it returned `false` (or `{ status: 'fail' }`); `error`: it threw, rejected, timed out or
 * returned something else; `skipped`: it was not called because a check it depends on (`dependsOn`) is not passing.
 */
export const CheckStatusSchema = Type.Union([
  Type.Literal('pass'),
  Type.Literal('warn'),
  Type.Literal('fail'),
  Type.Literal('error'),
  Type.Literal('skipped')
], { description: 'Outcome of one check; `skipped`: not called, because a check it depends on is not passing' })

const ObservedValueSchema = Type.Union([Type.Number(), Type.String(), Type.Boolean()], {
  description: 'What the check measured'
})

export const CheckResultSchema = Type.Object({
  status: CheckStatusSchema,
  observed: Type.Optional(Type.Union([
    Type.Literal('pass'),
    Type.Literal('warn'),
    Type.Literal('fail'),
    Type.Literal('error'),
    Type.Literal('skipped')
  ], { description: 'Status of the latest run, when a threshold keeps `status` from following it yet' })),
  error: Type.Optional(Type.String({ description: 'Why the check failed or errored: its output, the thrown message, a timeout, or a wrong result' })),
  output: Type.Optional(Type.String({ description: 'What a passing check said about itself' })),
  observedValue: Type.Optional(ObservedValueSchema),
  observedUnit: Type.Optional(Type.String({ description: 'Unit of observedValue, such as ms or bytes' })),
  timestamp: Type.Number({ description: 'When this result was produced, in seconds since the epoch with millisecond precision' }),
  since: Type.Optional(Type.Number({ description: 'When the check entered its current non-passing status, in seconds since the epoch' })),
  duration: Type.Number({ description: 'How long the check took, in milliseconds' }),
  critical: Type.Optional(Type.Boolean({ description: 'Present, and false, for a check that does not affect the overall status' })),
  impact: Type.Optional(Type.Literal('fleet', { description: 'Present for a check of a dependency every instance shares: while it fails, the overall status is kept as if it were non-critical (until its fleetGrace)' }))
})

/**
 * One entry per check, keyed by its name. An object with `additionalProperties` rather than `Type.Record`: a record's
 * key pattern `^(.*)$` does not match names with line terminators, and the serialiser would drop those entries.
 */
export const ChecksSchema = Type.Unsafe<Record<string, Static<typeof CheckResultSchema>>>(Type.Object({}, {
  additionalProperties: CheckResultSchema,
  description: 'One entry per check, keyed by its name'
}))

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

export const StartupReportSchema = Type.Object({
  status: Type.Union([Type.Literal('started'), Type.Literal('starting')]),
  timestamp: Type.Number({ description: 'When the report was produced, in seconds since the epoch with millisecond precision' }),
  checks: Type.Optional(ChecksSchema)
}, { description: 'Startup report' })

export type CheckStatus = Static<typeof CheckStatusSchema>
export type CheckResult = Static<typeof CheckResultSchema>
export type HealthReport = Static<typeof HealthReportSchema>
export type ReadyReport = Static<typeof ReadyReportSchema>
export type StartupReport = Static<typeof StartupReportSchema>

/**
 * The body of an error that Fastify's error handler sends, `{ statusCode, code?, error, message }`. A probe route's
 * 503 schema accepts it beside the report: a hook that fails a probe with a 503 (@fastify/under-pressure shedding
 * load) has its error sent as Fastify would send it anywhere, instead of turned into a 500 by the report's schema.
 */
export const HookErrorSchema = Type.Object({
  statusCode: Type.Number(),
  code: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  message: Type.Optional(Type.String())
}, { description: 'An error from a hook that answered before the checks ran (such as @fastify/under-pressure shedding load)' })

/** A probe route's 503 body: its report, or an error sent by a hook (the report first: it is what the checks answer). */
export const orHookError = <T extends TSchema>(report: T): TUnion<[T, typeof HookErrorSchema]> => Type.Union([report, HookErrorSchema])
