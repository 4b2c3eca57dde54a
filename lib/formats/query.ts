/**
 * How the probe routes read their query string. Values are strings, or arrays of strings when repeated; anything
 * else is ignored rather than refused, so that a probe never gets a 400.
 */

/** The values of `?verbose` that turn it off, compared without regard to case. */
const OFF = new Set(['0', 'false'])

/**
 * Whether the request asks for the verbose text: `?verbose` present with any value but `0` or `false` (`?verbose`,
 * `?verbose=1`, `?verbose=true`). When repeated, the last value decides.
 */
export function isVerbose (query: unknown): boolean {
  const value = (query as Record<string, unknown>).verbose
  if (value === undefined) return false
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value
  return typeof last !== 'string' || !OFF.has(last.toLowerCase())
}
