import { hostname } from 'node:os'
import { optionsObject } from '../../checks/validate'
import type { CheckResult } from '../../formats/schema'
import { invalid } from '../../options'
import type { PublishContext, PublishedReport } from '../../types'
import { send, target } from './request'

/** Options of `pushgateway()`. */
export interface PushgatewayOptions {
  /** The Pushgateway's base URL, such as `http://pushgateway:9091`. Credentials in it are sent as basic authentication. Required. */
  url: string | URL
  /** The `job` of the grouping key. Required, a non-empty string. */
  job: string
  /**
   * The `instance` of the grouping key.
   * Default: the host name.
   */
  instance?: string
}

const KEYS = ['url', 'job', 'instance'] as const

/** A grouping-key segment: percent-encoded, or in base64url (`@base64`) when it holds a `/` or is empty, as the Pushgateway reads it. */
function segment (label: string, value: string): string {
  if (value !== '' && !value.includes('/')) return `${label}/${encodeURIComponent(value)}`
  return `${label}@base64/${value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url')}`
}

/** A label value in the text exposition format: backslash, double quote and newline escaped. */
const labelValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

const passes = (entry: CheckResult): number => entry.status === 'pass' || entry.status === 'warn' ? 1 : 0

/**
 * The report in Prometheus' text exposition format: `health_check_status{check,group,critical}` per entry of the
 * report (1 passing, 0 not) and `health_group_status{group}` for the group (1 while its route would answer 200).
 */
export function exposition (report: PublishedReport, group: string, passing: boolean): string {
  const g = labelValue(group)
  const checks = report.checks as Record<string, CheckResult>
  let text = '# HELP health_check_status Whether a health check passes (1) or not (0)\n# TYPE health_check_status gauge\n'
  for (const name of Object.keys(checks)) {
    const entry = checks[name]
    text += `health_check_status{check="${labelValue(name)}",group="${g}",critical="${String(entry.critical !== false)}"} ${passes(entry)}\n`
  }
  text += '# HELP health_group_status Whether a group of health checks passes (1) or not (0)\n# TYPE health_group_status gauge\n'
  text += `health_group_status{group="${g}"} ${passing ? 1 : 0}\n`
  return text
}

/**
 * A publisher that PUTs the group's report to a Prometheus Pushgateway under `/metrics/job/<job>/instance/<instance>`,
 * replacing what that grouping key held (one publisher per job and instance). The final publish, when the app closes,
 * pushes the last report: readiness is not ready by then. A URL's credentials never appear in an error or a log line.
 */
export function pushgateway (options: PushgatewayOptions): (report: PublishedReport, context: PublishContext) => Promise<void> {
  const opts = optionsObject('pushgateway', options, KEYS)
  const to = target(opts.url, 'pushgateway option "url"')
  if (typeof opts.job !== 'string' || opts.job === '') throw invalid('pushgateway option "job"', 'a non-empty string', opts.job)
  const instance = opts.instance ?? hostname()
  if (typeof instance !== 'string') throw invalid('pushgateway option "instance"', 'a string', instance)
  const url = new URL(to.url)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics/${segment('job', opts.job)}/${segment('instance', instance)}`
  return async function pushgateway (report, { group, passing, signal }) {
    await send('pushgateway', to, url, {
      method: 'PUT',
      signal,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: exposition(report, group, passing)
    })
  }
}
