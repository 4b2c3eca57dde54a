import { invalid, rejectUnknownKeys } from '../options'

/**
 * Option checks shared by the built-in check factories. Every error is FST_HEALTH_INVALID_OPTION with a subject such
 * as `diskSpace option "minFreeBytes"`, so that a bad option fails at start-up and names itself.
 */

/**
 * The options object of a factory, `{}` when omitted. Unknown keys are rejected, with the key probably meant: a
 * misspelt threshold would otherwise be ignored silently and the check would guard nothing.
 */
export function optionsObject (factory: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {}
  const expected = `an object with the keys ${keys.join(', ')}`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${factory} options`, expected, value)
  // The plugin's own wording, with its "did you mean": `diskSpace options has an unknown key "minFreeByte" (did you mean
  // "minFreeBytes"?); known keys: path, minFreeBytes, minFreeRatio`.
  rejectUnknownKeys(`${factory} options`, value as Record<string, unknown>, keys)
  return value as Record<string, unknown>
}

/** A positive finite number of bytes, or `undefined` when the option is absent. */
export function optionalBytes (subject: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(subject, 'a positive finite number of bytes', value)
  }
  return value
}
