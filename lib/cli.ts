import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { editDistance } from './edit-distance'
import { escapeControls } from './formats/escape'
import { redactUrl } from './redact-url'

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

/** Largest `--timeout`: setTimeout turns a longer delay into 1 ms, which would give up at once. */
export const MAX_PROBE_TIMEOUT = 2 ** 31 - 1

/** Most of a response body read: enough for a report with many checks; the rest is never downloaded. */
const MAX_BODY = 64 * 1024

/** Longest text shown from a body that is not a health report. */
const MAX_TEXT = 200

export const USAGE = `Usage: fastify-health probe <url> [--timeout <ms>]
       fastify-health --version

Sends GET <url> (http: or https:) and exits 0 when the answer is 2xx, 1 otherwise (another
status, a refused connection, a timeout), after printing one line such as
  unhealthy (503): cache=fail, database=error: Connection timeout
  not_ready (503): migrations=fail
The first word is the status the body reports (healthy, unhealthy, ready, not_ready, started,
starting, or pass, warn, fail for application/health+json), else healthy or unhealthy by the
status code. Control characters in the line are escaped (\\n, \\x1b, \\u2028).

Options:
  --timeout <ms>  give up after this many milliseconds, at most ${MAX_PROBE_TIMEOUT} (default ${DEFAULT_PROBE_TIMEOUT})
  -h, --help      print this help and exit
  --version       print the version of fastify-health and exit

Exit codes: 0 healthy, 1 unhealthy, 2 bad arguments (an invalid URL among them).
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

/** The words a health report's `status` may hold: this plugin's, and those of application/health+json. */
const REPORT_STATUSES = new Set(['healthy', 'unhealthy', 'ready', 'not_ready', 'started', 'starting', 'pass', 'warn', 'fail'])

interface CheckEntry { status: string, error?: unknown, output?: unknown, critical?: unknown }

function isEntry (value: unknown): value is CheckEntry {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'string'
}

function describeCheck ([name, check]: [string, CheckEntry]): string {
  let text = `${name}=${check.status}`
  if (check.critical === false) text += ' (non-critical)'
  // `error` in this plugin's reports, `output` in application/health+json and for a warning; a passing check's
  // output is left out, to keep the line short.
  const why = typeof check.error === 'string' ? check.error : typeof check.output === 'string' && check.status !== 'pass' ? check.output : ''
  if (why !== '') text += `: ${oneLine(why)}`
  return text
}

/** The checks of a report, in order; in application/health+json each name maps to an array of results. */
function checkEntries (checks: object): Array<[string, CheckEntry]> {
  const entries: Array<[string, CheckEntry]> = []
  for (const [name, value] of Object.entries(checks)) {
    for (const item of Array.isArray(value) ? value as unknown[] : [value]) {
      if (isEntry(item)) entries.push([name, item])
    }
  }
  return entries
}

/**
 * What a body says: the status word of a health report (`null` when it is not one) and what to show, namely the
 * checks of a report (the ones not passing, if any), else the body's text.
 */
function describeBody (body: string): { word: string | null, detail: string } {
  let report: unknown
  try {
    report = JSON.parse(body)
  } catch {
    return { word: null, detail: oneLine(body) }
  }
  if (!isEntry(report)) return { word: null, detail: oneLine(body) }
  const word = REPORT_STATUSES.has(report.status) ? report.status : null
  const { checks } = report as { checks?: unknown }
  if (typeof checks !== 'object' || checks === null) return { word, detail: '' }
  const entries = checkEntries(checks)
  const failing = entries.filter(([, check]) => check.status !== 'pass')
  return { word, detail: (failing.length > 0 ? failing : entries).map(describeCheck).join(', ') }
}

/**
 * The line printed for a response: `healthy (200)`, `ready (200)`, `healthy (200): cache=pass, database=pass`,
 * `unhealthy (503): cache=fail, database=error: Connection timeout`, or for a body that is not a health report its
 * text, shortened: `unhealthy (502): Bad Gateway`. The first word is the report's own status when the body is a
 * health report, else `healthy` for a 2xx and `unhealthy` otherwise. Control characters are escaped.
 */
export function describeResponse (status: number, body: string): string {
  const { word, detail } = describeBody(body)
  const head = `${word ?? (status >= 200 && status <= 299 ? 'healthy' : 'unhealthy')} (${status})`
  return escapeControls(detail === '' ? head : `${head}: ${detail}`)
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

/**
 * The URL to probe, or why it is not one: an absolute http: or https: URL. The text shown never holds the
 * credentials (Docker keeps a health check's output where anyone who can inspect the container reads it).
 */
function parseTarget (url: string): URL | string {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return `invalid URL ${JSON.stringify(redactUrl(url))}`
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return `invalid URL ${JSON.stringify(redactUrl(url))} (http: or https: only)`
  }
  return target
}

/** Requests `url` and says whether it is healthy, with the line to print. Never rejects. */
export async function probe (url: string, timeout: number): Promise<{ healthy: boolean, line: string }> {
  const target = parseTarget(url)
  if (typeof target === 'string') return { healthy: false, line: escapeControls(`unhealthy: ${target}`) }
  try {
    const { status, body } = await get(target, timeout)
    return { healthy: status >= 200 && status <= 299, line: describeResponse(status, body) }
  } catch (err) {
    return { healthy: false, line: escapeControls(`unhealthy: ${oneLine((err as Error).message)}`) }
  }
}

/** The command's options: long name, whether it takes a value, and its short form. */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  timeout: { type: 'string' },
  version: { type: 'boolean' }
} as const

/** The option meant by a mistyped one: a close spelling, the start of a name, or a short form's initial. */
function suggestion (rawName: string): string | undefined {
  const typed = rawName.replace(/^-+/, '').toLowerCase()
  const names = Object.keys(OPTIONS)
  const match = rawName.startsWith('--')
    ? names.find(name => editDistance(typed, name) <= 2 || (typed.length >= 2 && name.startsWith(typed)))
    : names.find(name => name[0] === typed)
  return match === undefined ? undefined : `--${match}`
}

/** Why the options are not usable, or `null`: an unknown option, a value missing or not expected. */
function optionProblem (tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>): string | null {
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const raw = JSON.stringify(token.rawName)
    if (!Object.hasOwn(OPTIONS, token.name)) {
      const meant = suggestion(token.rawName)
      return `unknown option ${raw}${meant === undefined ? '' : ` (did you mean ${JSON.stringify(meant)}?)`}`
    }
    const takesValue = OPTIONS[token.name as keyof typeof OPTIONS].type === 'string'
    if (takesValue && token.value === undefined) return `option ${raw} needs a value`
    if (!takesValue && token.value !== undefined) return `option ${raw} takes no value`
  }
  return null
}

/** The version in package.json, one level up from this file both in lib/ (tests) and in dist/ (the package). */
function version (): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version
}

/**
 * Runs the command with `argv` (the arguments after the program name) and returns the exit code: 0 healthy,
 * 1 unhealthy, 2 bad arguments (usage on stderr). `--help` prints the usage and `--version` the version on stdout and
 * return 0.
 */
export async function main (argv: string[], io: CliIo): Promise<number> {
  // Not strict: unknown options come back as tokens, so that the message is ours and can suggest the option meant.
  const { values, positionals, tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: OPTIONS })
  const problem = optionProblem(tokens)
  if (problem !== null) return usageError(io, problem)
  if (values.help === true) {
    io.stdout.write(USAGE)
    return 0
  }
  if (values.version === true) {
    io.stdout.write(version() + '\n')
    return 0
  }
  const [command, url, extra] = positionals
  if (command === undefined) return usageError(io, 'missing command')
  if (command !== 'probe') return usageError(io, `unknown command ${JSON.stringify(command)}`)
  if (url === undefined) return usageError(io, 'missing <url>')
  if (extra !== undefined) return usageError(io, `unexpected argument ${JSON.stringify(extra)}`)
  const invalidUrl = parseTarget(url)
  if (typeof invalidUrl === 'string') return usageError(io, escapeControls(invalidUrl))
  const given = values.timeout as string | undefined
  const timeout = given === undefined ? DEFAULT_PROBE_TIMEOUT : Number(given)
  if (!Number.isFinite(timeout) || timeout <= 0 || given?.trim() === '') {
    return usageError(io, `--timeout must be a positive number of milliseconds, received ${JSON.stringify(given)}`)
  }
  if (timeout > MAX_PROBE_TIMEOUT) {
    return usageError(io, `--timeout must be at most ${MAX_PROBE_TIMEOUT} ms (about 24.8 days), received ${JSON.stringify(given)}`)
  }
  const { healthy, line } = await probe(url, timeout)
  io.stdout.write(line + '\n')
  return healthy ? 0 : 1
}
