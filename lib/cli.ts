import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { parseArgs } from 'node:util'

/**
 * The `fastify-health` command. `bin.ts` hands it the arguments and the process; tests call `main()` in-process with
 * their own streams. Only Node built-ins are used, so that the probe runs in a slim image with nothing but Node.
 */

/** Where `main()` writes: `process` in the real command. */
export interface CliIo {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
}

/** Default of `--timeout`, in milliseconds. */
export const DEFAULT_PROBE_TIMEOUT = 5000

/** Most of a response body read: enough for a report with many checks; the rest is never downloaded. */
const MAX_BODY = 64 * 1024

/** Longest text shown from a body that is not a health report. */
const MAX_TEXT = 200

export const USAGE = `Usage: fastify-health probe <url> [--timeout <ms>]

Sends GET <url> and exits 0 when the answer is 2xx, 1 otherwise (another status, a refused
connection, a timeout, an invalid URL), after printing one line such as
  unhealthy (503): cache=fail, database=error: Connection timeout

Options:
  --timeout <ms>  give up after this many milliseconds (default ${DEFAULT_PROBE_TIMEOUT})
  -h, --help      print this help and exit

Exit codes: 0 healthy, 1 unhealthy, 2 bad arguments.
`

function usageError (io: CliIo, message: string): number {
  io.stderr.write(`fastify-health: ${message}\n\n${USAGE}`)
  return 2
}

/** Collapses whitespace and cuts long text, so that the outcome stays on one line. */
function oneLine (text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > MAX_TEXT ? line.slice(0, MAX_TEXT - 1) + '…' : line
}

interface CheckEntry { status: string, error?: unknown, critical?: unknown }

function isEntry (value: unknown): value is CheckEntry {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'string'
}

function describeCheck ([name, check]: [string, CheckEntry]): string {
  let text = `${name}=${check.status}`
  if (check.critical === false) text += ' (non-critical)'
  if (typeof check.error === 'string') text += `: ${oneLine(check.error)}`
  return text
}

/** What to say about a body: the checks of a health report (the ones not passing, if any), else its text. */
function describeBody (body: string): string {
  let report: unknown
  try {
    report = JSON.parse(body)
  } catch {
    return oneLine(body)
  }
  if (!isEntry(report)) return oneLine(body)
  const { checks } = report as { checks?: unknown }
  if (typeof checks !== 'object' || checks === null) return ''
  const entries = Object.entries(checks).filter((entry): entry is [string, CheckEntry] => isEntry(entry[1]))
  const failing = entries.filter(([, check]) => check.status !== 'pass')
  return (failing.length > 0 ? failing : entries).map(describeCheck).join(', ')
}

/**
 * The line printed for a response: `healthy (200)`, `healthy (200): cache=pass, database=pass`,
 * `unhealthy (503): cache=fail, database=error: Connection timeout`, or for a body that is not a health report its
 * text, shortened: `unhealthy (502): Bad Gateway`.
 */
export function describeResponse (status: number, body: string): string {
  const head = `${status >= 200 && status <= 299 ? 'healthy' : 'unhealthy'} (${status})`
  const detail = describeBody(body)
  return detail === '' ? head : `${head}: ${detail}`
}

/** Reads the status and (the start of) the body of GET `url`; rejects with the reason when it fails. */
async function read (url: URL, signal: AbortSignal): Promise<{ status: number, body: string }> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    // agent: false: a one-off connection, closed after the answer, so that no idle keep-alive socket lingers.
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      agent: false,
      headers: { accept: 'application/json' },
      signal
    })
    request.once('response', resolve).once('error', reject).end()
  })
  response.setEncoding('utf8')
  let body = ''
  for await (const chunk of response) {
    body += chunk as string
    // Leaving the loop destroys the response: the status is known, the rest of a huge body is not needed.
    if (body.length >= MAX_BODY) break
  }
  return { status: response.statusCode as number, body }
}

/** `read()` within `timeout` ms, which bounds connecting, waiting for the answer and reading the body alike. */
async function get (url: URL, timeout: number): Promise<{ status: number, body: string }> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort() }, timeout)
  let result: { status: number, body: string }
  try {
    result = await read(url, controller.signal)
  } catch (err) {
    clearTimeout(timer)
    throw controller.signal.aborted ? new Error(`timed out after ${timeout} ms`) : err
  }
  clearTimeout(timer)
  return result
}

/** Requests `url` and says whether it is healthy, with the line to print. Never rejects. */
export async function probe (url: string, timeout: number): Promise<{ healthy: boolean, line: string }> {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return { healthy: false, line: `unhealthy: invalid URL ${JSON.stringify(url)}` }
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { healthy: false, line: `unhealthy: invalid URL ${JSON.stringify(url)} (http: or https: only)` }
  }
  try {
    const { status, body } = await get(target, timeout)
    return { healthy: status >= 200 && status <= 299, line: describeResponse(status, body) }
  } catch (err) {
    return { healthy: false, line: `unhealthy: ${oneLine((err as Error).message)}` }
  }
}

/**
 * Runs the command with `argv` (the arguments after the program name) and returns the exit code: 0 healthy,
 * 1 unhealthy, 2 bad arguments (usage on stderr). `--help` prints the usage on stdout and returns 0.
 */
export async function main (argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { help: { type: 'boolean', short: 'h' }, timeout: { type: 'string' } }
    })
  } catch (err) {
    return usageError(io, (err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    io.stdout.write(USAGE)
    return 0
  }
  const [command, url, extra] = positionals
  if (command === undefined) return usageError(io, 'missing command')
  if (command !== 'probe') return usageError(io, `unknown command ${JSON.stringify(command)}`)
  if (url === undefined) return usageError(io, 'missing <url>')
  if (extra !== undefined) return usageError(io, `unexpected argument ${JSON.stringify(extra)}`)
  const timeout = values.timeout === undefined ? DEFAULT_PROBE_TIMEOUT : Number(values.timeout)
  if (!Number.isFinite(timeout) || timeout <= 0 || values.timeout?.trim() === '') {
    return usageError(io, `--timeout must be a positive number of milliseconds, received ${JSON.stringify(values.timeout)}`)
  }
  const { healthy, line } = await probe(url, timeout)
  io.stdout.write(line + '\n')
  return healthy ? 0 : 1
}
