import { types } from 'node:util'

/**
 * Turns whatever a check threw, rejected with or returned into the short, single-purpose text of a report's
 * `error` field. Checks are user code and may be hostile (getters that throw, revoked proxies, 1 MB messages,
 * `throw null`), so nothing here may throw, and the result is never empty and never carries a stack trace.
 */

/** Longest `error` text in a report, in UTF-16 code units; longer messages are cut and end with `…`. */
export const MAX_ERROR_LENGTH = 1024

const STACK_FRAME = '\n    at '

/** Cuts an embedded stack trace and limits the length to MAX_ERROR_LENGTH. May return '' (callers fall back). */
export function clip (message: string): string {
  // A message that embeds a stack (some libraries build one by hand) keeps only the part before the frames; a
  // Windows line ending before the first frame goes with them.
  const frame = message.indexOf(STACK_FRAME)
  if (frame !== -1) message = message.slice(0, message.charCodeAt(frame - 1) === 13 ? frame - 1 : frame)
  if (message.length > MAX_ERROR_LENGTH) {
    let end = MAX_ERROR_LENGTH - 1
    // Never split a surrogate pair: half of one is not valid UTF-8 once the report is sent.
    const last = message.charCodeAt(end - 1)
    if (last >= 0xd800 && last <= 0xdbff) end--
    message = message.slice(0, end) + '…'
  }
  return message
}

/** Reads a property that may be a throwing getter (or sit behind a proxy trap that throws). */
function read (error: Error, key: 'message' | 'name'): unknown {
  try {
    return error[key]
  } catch {
    return undefined
  }
}

function errorText (error: Error): string {
  const message = read(error, 'message')
  if (typeof message === 'string') {
    const text = clip(message)
    if (text !== '') return text
  }
  const name = read(error, 'name')
  if (typeof name === 'string') {
    const text = clip(name)
    if (text !== '') return text
  }
  return 'Error'
}

function isError (value: unknown): value is Error {
  try {
    // isNativeError also recognises errors made in another realm (vm contexts, test sandboxes).
    return value instanceof Error || types.isNativeError(value)
  } catch {
    // `instanceof` runs a proxy's getPrototypeOf trap, which may throw (or the proxy may be revoked).
    return false
  }
}

/** The message of a thrown or rejected value: an Error's `message` (its `name` when empty), else `String(value)`. */
export function thrownMessage (value: unknown): string {
  if (isError(value)) return errorText(value)
  let text: string
  try {
    text = String(value)
  } catch {
    return 'check threw a value that cannot be converted to a string'
  }
  if (text === '') return 'check threw an empty string'
  text = clip(text)
  return text === '' ? 'check threw a stack trace without a message' : text
}

function isArray (value: unknown): boolean {
  try {
    return Array.isArray(value)
  } catch {
    // A revoked proxy.
    return false
  }
}

function describe (value: unknown): string {
  switch (typeof value) {
    case 'undefined': return 'undefined'
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`
    case 'number':
    case 'bigint': return `the ${typeof value} ${String(value)}`
    case 'symbol': return 'a symbol'
    case 'function': return 'a function'
    default: return value === null ? 'null' : isArray(value) ? 'an array' : 'an object'
  }
}

/** The message for a check that resolved something other than a boolean. */
export function nonBooleanMessage (value: unknown): string {
  return `check returned ${describe(value)}; expected a boolean`
}
