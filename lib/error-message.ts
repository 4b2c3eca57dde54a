/**
 * Turns whatever a check threw, rejected with or returned into the short, single-purpose text of a report's
 * `error` field. Checks are user code and may be hostile (getters that throw, 1 MB messages, `throw null`), so
 * nothing here may throw, and the result is never empty and never carries a stack trace.
 */

/** Longest `error` text in a report, in UTF-16 code units; longer messages are cut and end with `…`. */
export const MAX_ERROR_LENGTH = 1024

const STACK_FRAME = '\n    at '

export function clip (message: string): string {
  // A message that embeds a stack (some libraries build one by hand) keeps only the part before the frames.
  const frame = message.indexOf(STACK_FRAME)
  if (frame !== -1) message = message.slice(0, frame)
  if (message.length > MAX_ERROR_LENGTH) message = message.slice(0, MAX_ERROR_LENGTH - 1) + '…'
  return message
}

function errorText (error: Error): string {
  let message: unknown
  try {
    message = error.message
  } catch {
    message = undefined
  }
  if (typeof message === 'string' && message !== '') return message
  let name: unknown
  try {
    name = error.name
  } catch {
    name = undefined
  }
  return typeof name === 'string' && name !== '' ? name : 'Error'
}

/** The message of a thrown or rejected value: an Error's `message` (its `name` when empty), else `String(value)`. */
export function thrownMessage (value: unknown): string {
  let text: string
  if (value instanceof Error) {
    text = errorText(value)
  } else {
    try {
      text = String(value)
    } catch {
      text = 'check threw a value that cannot be converted to a string'
    }
    if (text === '') text = 'check threw an empty string'
  }
  return clip(text)
}

function describe (value: unknown): string {
  switch (typeof value) {
    case 'undefined': return 'undefined'
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`
    case 'number':
    case 'bigint': return `the ${typeof value} ${String(value)}`
    case 'symbol': return 'a symbol'
    case 'function': return 'a function'
    default: return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
  }
}

/** The message for a check that resolved something other than a boolean. */
export function nonBooleanMessage (value: unknown): string {
  return `check returned ${describe(value)}; expected a boolean`
}
