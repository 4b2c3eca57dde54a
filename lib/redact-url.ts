/**
 * A URL as shown in an error or a probe's output: whatever stands between the scheme and the last `@` is replaced by
 * `***`, so that a password is never echoed, even from a string too malformed to tell where its credentials end.
 * Built-ins only: the probe command uses it too.
 */
export function redactUrl (value: string): string {
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/*)?[\s\S]*@/, '$1***@')
}
