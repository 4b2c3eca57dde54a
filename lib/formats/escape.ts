/**
 * Escapes what would break a one-line text format or reach a terminal as a control sequence: C0 and C1 control
 * characters, DEL and the Unicode line and paragraph separators. Backslash is escaped too, so that the result reads
 * back unambiguously. Used by the `?verbose` text and the probe command's one-line output; it depends on nothing, so
 * the probe command stays Node built-ins only.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar (char: string): string {
  const named = NAMED[char]
  if (named !== undefined) return named
  const code = char.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
}

export function escapeLine (text: string): string {
  return text.replace(UNSAFE, escapeChar)
}

/** The same for text that may hold escapes of its own already (JSON strings): backslashes are left as they are. */
export function escapeControls (text: string): string {
  return text.replace(CONTROL, escapeChar)
}
