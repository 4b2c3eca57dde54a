import { facts, type OutcomeView, put, type Row, rows } from './view'

/**
 * The response model of ASP.NET Core HealthChecks.UI, which its collector reads from every endpoint it watches:
 * `{"status":"Healthy","totalDuration":"00:00:00.0123456","entries":{"db":{"data":{},"description":…,
 * "duration":"00:00:00.0012345","status":"Healthy","tags":[…]}}}`. Checked against
 * Xabaril/AspNetCore.Diagnostics.HealthChecks:
 * - src/HealthChecks.UI.Core/UIHealthReport.cs: `UIHealthReport { Status, TotalDuration, Entries }`,
 *   `UIHealthReportEntry { Data, Description, Duration, Exception, Status, Tags }` and
 *   `enum UIHealthStatus { Unhealthy, Degraded, Healthy }`;
 * - src/HealthChecks.UI.Client/UIResponseWriter.cs: camelCase names, enums as strings, nulls left out, TimeSpans
 *   written with `TimeSpan.ToString()` (the constant "c" format, `[d.]hh:mm:ss[.fffffff]`);
 * - src/HealthChecks.UI/Core/HostedService/HealthCheckReportCollector.cs: a non-2xx answer is read only when its
 *   media type is `application/json`.
 *
 * `pass` is Healthy, `warn` Degraded, `fail`, `error` and `skipped` Unhealthy; a failing non-critical check is
 * Degraded, as ASP.NET reports a check registered with `failureStatus: Degraded`. The error text is the entry's
 * `description` (and its `exception` when the check threw or timed out); `tags` are the check's groups. The overall
 * status is Unhealthy on a 503, Degraded when any entry is not Healthy, else Healthy; `totalDuration` is the longest
 * entry's (the checks run concurrently). Without details, `entries` is empty.
 */
export function healthchecksUi (outcome: OutcomeView, group: string, details: boolean): string {
  const list = details ? rows(outcome, group) : []
  const entries: Record<string, unknown> = {}
  let total = 0
  let degraded = false
  for (const row of list) {
    const { entry } = row
    const status = entryStatus(row)
    if (status !== 'Healthy') degraded = true
    total = Math.max(total, entry.duration)
    const value: Record<string, unknown> = { data: facts(row) }
    const description = entry.error ?? entry.output
    if (description !== undefined) value.description = description
    value.duration = timeSpan(entry.duration)
    if (entry.status === 'error' && entry.error !== undefined) value.exception = entry.error
    value.status = status
    value.tags = row.groups
    put(entries, row.name, value)
  }
  const status = outcome.code !== 200 ? 'Unhealthy' : degraded ? 'Degraded' : 'Healthy'
  return JSON.stringify({ status, totalDuration: timeSpan(total), entries })
}

function entryStatus (row: Row): string {
  switch (row.entry.status) {
    case 'pass':
      return 'Healthy'
    case 'warn':
      return 'Degraded'
    default:
      return row.critical ? 'Unhealthy' : 'Degraded'
  }
}

const TICKS_PER_MS = 10_000
const TICKS_PER_SECOND = 1000 * TICKS_PER_MS
const TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND

const two = (n: number): string => String(n).padStart(2, '0')

/** Milliseconds as a .NET TimeSpan in the constant ("c") format: `[d.]hh:mm:ss[.fffffff]`, 100 ns ticks. */
export function timeSpan (ms: number): string {
  const ticks = Math.max(0, Math.round(ms * TICKS_PER_MS))
  const days = Math.floor(ticks / TICKS_PER_DAY)
  const seconds = Math.floor((ticks % TICKS_PER_DAY) / TICKS_PER_SECOND)
  const fraction = ticks % TICKS_PER_SECOND
  const clock = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`
  return (days > 0 ? `${days}.` : '') + clock + (fraction > 0 ? `.${String(fraction).padStart(7, '0')}` : '')
}
