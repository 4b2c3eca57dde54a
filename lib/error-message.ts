import { types } from 'node:util'

/**
 * Turns whatever a check threw, rejected with or returned into the short, single-purpose text of a report's
 * `error` field. Checks are user code and may be hostile (getters that throw, revoked proxies, 1 MB messages,
 * `throw null`), so nothing here may throw, and the result is never empty and never carries a stack trace.
 */

/** Longest `error` text in a report, in UTF-16 code units; longer messages are cut and end with `…`. */
export const MAX_ERROR_LENGTH = 1024

/**
 * Lines that are stack frames, whoever printed them: V8 and Java (`at f (file:1:2)`, indented with spaces or tabs),
 * Python tracebacks (`Traceback (most recent call last):`, `File "x.py", line 3, in f` and the source line under it),
 * Firefox and Safari (`f@file:1:2`, `global code@file:1`, `promise callback*f@file:1:2`) and Go (`/src/main.go:12 +0x1d`). Only the first line of a message is always
 * kept: a frame is never the message itself. Written to match in linear time on any line: the part before `@` or the
 * first slash cannot contain one, and no `.*` is followed by anything it could also have matched.
 */
const FRAME = /^[ \t]*(?:(?:at |File "[^"]*", line \d+).*|(?:Traceback \(most recent call last\):?|(?:(?:global|module|eval) code|promise callback\*[^\s@]*|[^\s@]*)@\S*:\d+(?::\d+)?|[^\s/\\]*[/\\]\S*:\d+(?: \+0x[0-9a-f]+)?)[ \t]*)$/
const PYTHON_FRAME = /^[ \t]*File "/

// A line longer than a whole error text is the message's own text, never a frame.
const MAX_FRAME_LENGTH = MAX_ERROR_LENGTH
// Frames are looked for in this much of a message: room for a message and a long stack trace, and a bound on the work
// however long the message is (what is kept is cut to MAX_ERROR_LENGTH anyway).
const SCAN_LENGTH = 16 * MAX_ERROR_LENGTH

const isFrame = (line: string): boolean => line.length <= MAX_FRAME_LENGTH && FRAME.test(line.endsWith('\r') ? line.slice(0, -1) : line)

/** Removes stack-frame lines after the first line. A message without a line break costs one indexOf. */
function stripFrames (message: string): string {
  if (message.indexOf('\n') === -1) return message
  if (message.length > SCAN_LENGTH) {
    const lastBreak = message.lastIndexOf('\n', SCAN_LENGTH)
    // The line the window cuts goes with the rest, unless it is too long to be a frame (then it is text, cut later).
    message = message.slice(0, SCAN_LENGTH - lastBreak > MAX_FRAME_LENGTH ? SCAN_LENGTH : lastBreak)
  }
  const lines = message.split('\n')
  const kept = [lines[0]]
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]
    if (!isFrame(line)) {
      kept.push(line)
    } else if (PYTHON_FRAME.test(line) && i + 1 < lines.length && /^[ \t]+\S/.test(lines[i + 1]) && !isFrame(lines[i + 1])) {
      // Python prints the source line of each frame under it, indented further: it may name paths too.
      i++
    }
  }
  // The line break (LF or CRLF) before the frames goes with them.
  return kept.length === lines.length ? message : kept.join('\n').replace(/[\r\n]+$/, '')
}

/** Cuts embedded stack frames and limits the length to MAX_ERROR_LENGTH. May return '' (callers fall back). */
export function clip (message: string): string {
  message = stripFrames(message)
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
