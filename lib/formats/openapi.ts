import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifySchemaCompiler } from 'fastify'
import { HEALTH_JSON } from './health-json'
import { orHookError } from './schema'

/**
 * What the probe routes' `schema` says beyond the default JSON report, for an OpenAPI document (@fastify/swagger):
 * the query parameters, the `application/health+json` answer and the `?verbose` text. Fastify picks a response
 * serialiser by the reply's content type, so the default JSON answer still goes through the report schema itself;
 * the other two formats are sent as ready-made text.
 */

const Verbose = Type.String({
  description: 'Answer in the Kubernetes verbose text format (`[+]name ok` lines) instead of JSON. Any value but `0` or `false` turns it on.'
})

/** The query of a probe route: `?exclude` (repeatable) and `?verbose`. */
export const probeQuerystring = Type.Object({
  exclude: Type.Optional(Type.Array(Type.String(), {
    description: 'Name of a check not to run, count or show; repeatable. Unknown names are ignored.'
  })),
  verbose: Type.Optional(Verbose)
})

/** The query of a single check's route: `?verbose`. */
export const checkQuerystring = Type.Object({ verbose: Type.Optional(Verbose) })

/**
 * The query is read by the handler, which ignores what it does not understand (a probe never gets a 400), so the
 * schemas above document it without validating it: no validator, no per-request cost.
 */
export const documentOnly: FastifySchemaCompiler<unknown> = () => () => true

const HealthJsonCheckSchema = Type.Object({
  status: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')]),
  time: Type.String({ format: 'date-time', description: 'When this result was produced' }),
  output: Type.Optional(Type.String({ description: 'What is wrong; absent on a pass' })),
  observedValue: Type.Optional(Type.Union([Type.Number(), Type.String(), Type.Boolean()], { description: 'What the check measured' })),
  observedUnit: Type.Optional(Type.String({ description: 'Unit of observedValue, such as ms or bytes' }))
})

/** The `application/health+json` answer (IETF draft-inadarei-api-health-check). */
export const HealthJsonSchema = Type.Object({
  status: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')], {
    description: 'pass or warn (every critical check passes, something else does not) with 200, fail with 503'
  }),
  version: Type.Optional(Type.String()),
  releaseId: Type.Optional(Type.String()),
  output: Type.Optional(Type.String({ description: 'What is wrong, when the status is not pass' })),
  serviceId: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  checks: Type.Optional(Type.Object({}, {
    additionalProperties: Type.Array(HealthJsonCheckSchema),
    description: 'One array of one result per check, keyed by its name'
  }))
}, { description: 'IETF health check response (application/health+json), sent when the Accept header prefers it' })

const VerboseTextSchema = Type.String({
  description: 'With ?verbose: one `[+]name ok` or `[-]name failed: reason` line per check, then a summary line'
})

/** The 200 and 503 responses of a probe route whose default JSON body is `report`, in each format it answers in. */
export function probeResponses (report: TSchema): Record<200 | 503, { content: Record<string, { schema: TSchema }> }> {
  const content = (json: TSchema): Record<string, { schema: TSchema }> => ({
    'application/json': { schema: json },
    [HEALTH_JSON]: { schema: HealthJsonSchema },
    'text/plain': { schema: VerboseTextSchema }
  })
  // A hook that answers first (under-pressure shedding load) sends its own 503 error body through this schema.
  return { 200: { content: content(report) }, 503: { content: content(orHookError(report)) } }
}
