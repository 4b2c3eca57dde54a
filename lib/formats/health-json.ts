import type { RunOutcome } from '../groups/group'
import { parseAccept, prefers } from './accept'
import type { ServiceInfo } from '../types'
import type { CheckResult } from './schema'

/** The media type of the IETF health check response format (draft-inadarei-api-health-check). */
export const HEALTH_JSON = 'application/health+json'

interface HealthJsonCheck {
  status: 'pass' | 'warn' | 'fail'
  time: string
  output?: string
  observedValue?: number | string | boolean
  observedUnit?: string
}

/** Whether an `Accept` header names the type at all; media types are case-insensitive. */
export const mentionsHealthJson = (accept: string): boolean => /application\/health\+json/i.test(accept)

/**
 * Whether an `Accept` header prefers `application/health+json`: it is listed with a quality at least as high as any
 * other type's (it was asked for by name, so it wins a tie). Called only when the header mentions it at all.
 */
export const prefersHealthJson = (accept: string): boolean => prefers(parseAccept(accept), HEALTH_JSON)

function check (entry: CheckResult): HealthJsonCheck {
  const result: HealthJsonCheck = {
    status: entry.status === 'pass' || entry.status === 'warn' ? entry.status : 'fail',
    time: new Date(entry.timestamp * 1000).toISOString()
  }
  // The draft's output is "raw error output": it SHOULD be omitted for a passing component.
  const output = result.status === 'pass' ? undefined : entry.error ?? entry.output
  if (output !== undefined) result.output = output
  if (entry.observedValue !== undefined) result.observedValue = entry.observedValue
  if (entry.observedUnit !== undefined) result.observedUnit = entry.observedUnit
  return result
}

/**
 * The answer in the IETF health check response format: `status` pass, warn (every critical check passes, but some
 * entry warns or a non-critical check fails) or fail; `checks` keyed by check name, each an array of one result;
 * `output` saying what is wrong when the status is not pass; the service fields from the `service` option.
 */
export function healthJson (outcome: RunOutcome, details: boolean, service: ServiceInfo): string {
  // Every report the plugin builds has its checks; only a summary (no details) lacks them.
  const entries = outcome.report.checks as Record<string, CheckResult>
  let status: 'pass' | 'warn' | 'fail' = outcome.code === 200 ? 'pass' : 'fail'
  const problems: string[] = []
  const checks: Record<string, HealthJsonCheck[]> = {}
  for (const name of Object.keys(entries)) {
    const entry = entries[name]
    if (entry.status !== 'pass') {
      if (status === 'pass') status = 'warn'
      problems.push(`${name}: ${entry.error ?? entry.output ?? entry.status}`)
    }
    if (name === '__proto__') Object.defineProperty(checks, name, { value: [check(entry)], enumerable: true, writable: true, configurable: true })
    else checks[name] = [check(entry)]
  }
  const body: Record<string, unknown> = { status }
  if (service.version !== undefined) body.version = service.version
  if (service.releaseId !== undefined) body.releaseId = service.releaseId
  if (status !== 'pass') body.output = details && problems.length > 0 ? problems.join('; ') : status === 'fail' ? 'failing' : 'degraded'
  if (service.serviceId !== undefined) body.serviceId = service.serviceId
  if (service.description !== undefined) body.description = service.description
  if (details) body.checks = checks
  return JSON.stringify(body)
}
