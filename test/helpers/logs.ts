// A pino destination that keeps every line, parsed, for assertions on what an app logged.
export interface CapturedLogs {
  lines: Array<Record<string, any>>
  stream: { write: (line: string) => void }
}

export function captureLogs (): CapturedLogs {
  const lines: Array<Record<string, any>> = []
  return { lines, stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } }
}

/** Lines written by fastify-health about a check's status (they carry the `healthCheck` field). */
export const statusLines = (lines: Array<Record<string, any>>): Array<Record<string, any>> =>
  lines.filter(line => line.healthCheck !== undefined)
