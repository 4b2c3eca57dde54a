import { parseAccept, prefers, type Range } from './accept'
import { ACTUATOR_V3 } from './actuator'

export { parseAccept }

/** The formats `?format=` names. */
export const FORMATS = ['microprofile', 'actuator', 'healthchecks-ui'] as const
/** `html` names the status page, when it is on. */
export type FormatName = typeof FORMATS[number] | 'html'

/** What a request asks for: a format, the plugin's own answer (null), or an error to answer with 400. */
export type Negotiated = FormatName | null | { readonly error: string }

// The JSON types a client may ask for instead of HTML; the status page must beat every one of them.
const JSONISH = new Set(['application/json', 'application/*', 'application/health+json', ACTUATOR_V3])

/**
 * Whether `Accept` prefers the status page: `text/html` listed by name with a quality above every JSON type's. A
 * browser's navigation lists it first; the wildcard of curl and the kubelet, HAProxy and nginx (no Accept of their
 * own) never do, and a tie with JSON goes to JSON.
 */
export function prefersHtml (ranges: readonly Range[]): boolean {
  let html = 0
  let json = 0
  for (const { type, q } of ranges) {
    if (type === 'text/html') html = Math.max(html, q)
    else if (JSONISH.has(type)) json = Math.max(json, q)
  }
  return html > 0 && html > json
}

/** Whether `Accept` names the Actuator v3 type with a quality at least as high as any other type's. */
export const prefersActuator = (ranges: readonly Range[]): boolean => prefers(ranges, ACTUATOR_V3)

/** A test, built once, of whether an Accept header may ask for a format: the probe routes' fast path skips the rest. */
export function acceptPattern (statusPage: boolean): RegExp {
  return new RegExp(`application/health\\+json|application/vnd\\.spring-boot\\.actuator\\.v3\\+json${statusPage ? '|text/html' : ''}`, 'i')
}

/**
 * Which format a request asks for: `?format=` first, then `Accept` (the status page when it is on, Actuator's own
 * media type); null for the plugin's own answers (JSON, `?verbose`, health+json), which the route handles itself.
 */
export function negotiate (query: Record<string, unknown>, accept: string | undefined, statusPage: boolean): Negotiated {
  const format = query.format
  if (format !== undefined) {
    const known: readonly string[] = statusPage ? [...FORMATS, 'html'] : FORMATS
    if (typeof format === 'string' && known.includes(format)) return format as FormatName
    const shown = typeof format === 'string' ? JSON.stringify(format) : 'more than one value'
    return { error: `fastify-health: unknown format ${shown}; known formats: ${known.join(', ')}` }
  }
  if (accept === undefined) return null
  const ranges = parseAccept(accept)
  if (statusPage && prefersHtml(ranges)) return 'html'
  if (prefersActuator(ranges)) return 'actuator'
  return null
}
