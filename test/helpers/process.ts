import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Test } from 'tap'

/** The repository root: examples run from there so that 'fastify-health' resolves to its dist/. */
export const ROOT = resolve(__dirname, '../..')

export interface Proc {
  readonly child: ChildProcess
  readonly name: string
  /** Everything written to stdout and stderr so far. */
  output: () => string
  /** Everything written to stdout so far. */
  stdout: () => string
  /** Everything written to stderr so far. */
  stderr: () => string
  /** Resolves with the first match of `pattern` in the output; rejects on exit or after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  /** Resolves with the first complete line of JSON (pino's log lines) that `match` accepts, past or future. */
  waitForJson: (match: (line: Record<string, any>) => boolean, timeoutMs?: number) => Promise<Record<string, any>>
  /** Resolves when the process has exited, with its code or signal, and Date.now() at that moment. */
  exited: Promise<Exit>
  readonly running: boolean
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  at: number
}

const live = new Set<ChildProcess>()
// A test process that dies on an uncaught error must not leave servers behind.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * The environment of a child: ours, with coverage turned off, so that examples and fixtures stay out of the coverage
 * report (they are proven by these tests, not measured). Node's own coverage uses NODE_V8_COVERAGE; tap 21 records a
 * child's coverage through @tapjs/processinfo (added to NODE_OPTIONS by its spawn hook) unless
 * _TAPJS_PROCESSINFO_COVERAGE_ is '0'.
 */
export function childEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
  delete env.NODE_V8_COVERAGE
  return env
}

/** Starts a program; the test's teardown kills it (SIGKILL) if it is still running, even when the test failed. */
export function startProcess (t: Test, name: string, command: string, args: string[], options: { env?: Record<string, string>, cwd?: string } = {}): Proc {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  let text = ''
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  const onData = (stream: 'out' | 'err') => (chunk: Buffer): void => {
    text += chunk.toString()
    if (stream === 'out') out += chunk.toString()
    else err += chunk.toString()
    for (const waiter of waiters) waiter()
  }
  child.stdout?.on('data', onData('out'))
  child.stderr?.on('data', onData('err'))
  let running = true
  // 'close', not 'exit': by then both pipes are drained, so the output is complete.
  const exited = new Promise<Exit>(resolve => {
    child.on('close', (code, signal) => {
      running = false
      live.delete(child)
      for (const waiter of waiters) waiter()
      resolve({ code, signal, at: Date.now() })
    })
  })
  child.on('error', err => { text += `\n[spawn error] ${err.message}\n` })

  t.teardown(async () => {
    if (running) {
      child.kill('SIGKILL')
      await exited
    }
  })

  const waitUntil = async <T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> => {
    return await new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find()
        if (found !== undefined) done(() => resolve(found))
        else if (!running) done(() => reject(new Error(`${name} exited before printing ${what}; output:\n${text}`)))
      }
      const timer = setTimeout(() => done(() => reject(new Error(`${name} did not print ${what} within ${timeoutMs} ms; output:\n${text}`))), timeoutMs)
      const done = (settle: () => void): void => {
        clearTimeout(timer)
        waiters.delete(check)
        settle()
      }
      waiters.add(check)
      check()
    })
  }
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> =>
    await waitUntil(String(pattern), () => text.match(pattern) ?? undefined, timeoutMs)
  const waitForJson = async (match: (line: Record<string, any>) => boolean, timeoutMs = 15_000): Promise<Record<string, any>> =>
    await waitUntil('the JSON line expected', () => completeLines(text).map(parseJson).find(line => line !== undefined && match(line)), timeoutMs)

  return {
    child,
    name,
    output: () => text,
    stdout: () => out,
    stderr: () => err,
    waitFor,
    waitForJson,
    exited,
    get running () { return running }
  }
}

/** The lines of `text` that end with a newline (a line still being written is left out). */
const completeLines = (text: string): string[] => text.split('\n').slice(0, -1)

function parseJson (line: string): Record<string, any> | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null ? value as Record<string, any> : undefined
  } catch {
    return undefined
  }
}

/** The loader of the test processes (test/loader/): a child starts on about a third less CPU than with tsx. */
export const TEST_LOADER = pathToFileURL(resolve(ROOT, 'test/loader/register.mjs')).href

/**
 * A TypeScript file run by node, in one process (signals reach the program itself): an example with tsx, as
 * `npm run example` runs it; a test fixture with the tests' own loader.
 */
export function startTs (t: Test, file: string, env: Record<string, string> = {}): Proc {
  const loader = file.startsWith('examples/') ? 'tsx' : TEST_LOADER
  return startProcess(t, file, process.execPath, ['--import', loader, resolve(ROOT, file)], { env })
}

/**
 * Runs a TypeScript file to its end and returns what it printed. A program still running after `limit` ms is killed,
 * so that one that hangs fails its test instead of the whole suite.
 */
export async function runTs (t: Test, file: string, limit = 20_000): Promise<Exit & { stdout: string, stderr: string }> {
  const proc = startTs(t, file)
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), limit)
  const exit = await proc.exited
  clearTimeout(killer)
  return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() }
}

/**
 * Starts an example (or fixture) on a port the system picks and returns it with its base URL, read from the
 * `Health check endpoint: http://...` line it prints.
 */
export async function startExample (t: Test, file: string, env: Record<string, string> = {}): Promise<{ proc: Proc, baseUrl: string, port: number }> {
  const proc = startTs(t, file, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env })
  const [, baseUrl] = await proc.waitFor(/Health check endpoint: (http:\/\/127\.0\.0\.1:\d+)\/health\b/)
  return { proc, baseUrl, port: Number(new URL(baseUrl).port) }
}

export { freePort } from './net'

/** Sends `signal` and waits for the process to end; SIGKILL if it has not ended after `timeoutMs`. */
export async function stop (proc: Proc, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<Exit> {
  if (!proc.running) return await proc.exited
  proc.child.kill(signal)
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs)
  try {
    return await proc.exited
  } finally {
    clearTimeout(timer)
  }
}

/** Calls `fn` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/** Fails with a clear message when the package has not been built (the examples import 'fastify-health' → dist/). */
export function distBuilt (): boolean {
  try {
    require.resolve('fastify-health', { paths: [ROOT] })
    return true
  } catch {
    return false
  }
}
