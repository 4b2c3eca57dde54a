// Runs a fixture script in a child process (node --import tsx) and talks to it over HTTP on loopback.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Date.now() when the child ended. */
  at: number
}

export interface FixtureChild {
  child: ChildProcess
  /** Base URL the fixture printed, e.g. http://127.0.0.1:41234 */
  url: string
  /** Settles when the child ends. */
  exited: Promise<ChildExit>
  /** Resolves with the first JSON log line (stderr) matching the predicate, past or future. */
  waitForLog: (match: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>
  /** Every stderr line so far. */
  stderr: string[]
}

export interface HttpAnswer {
  status: number
  body: string
  json: () => any
}

const ROOT = resolve(__dirname, '..', '..')

// Children stay out of the coverage report (see childEnv in process.ts).
import { childEnv } from './process'
export { childEnv }

/**
 * Starts test/fixtures/<name>.ts with `node --import tsx`, out of the coverage report (the in-process tests cover
 * lib/), and waits for the URL it prints.
 */
export async function startFixture (name: string, env: Record<string, string>): Promise<FixtureChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'test', 'fixtures', `${name}.ts`)], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<ChildExit>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }))
  })

  const stderr: string[] = []
  const waiters: Array<{ match: (line: Record<string, unknown>) => boolean, resolve: (line: Record<string, unknown>) => void }> = []
  const parse = (text: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', text => {
    stderr.push(text)
    const line = parse(text)
    if (line === undefined) return
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    }
  })
  const waitForLog = async (match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (const text of stderr) {
      const line = parse(text)
      if (line !== undefined && match(line)) return line
    }
    return await new Promise(resolve => waiters.push({ match, resolve }))
  }

  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(exit => { throw new Error(`fixture ${name} ended before printing its URL (code ${exit.code}, signal ${exit.signal}): ${stderr.join('\n')}`) })
  ])
  return { child, url: first.trim(), exited, waitForLog, stderr }
}

/** GET (or another method) on a fresh connection, so that no keep-alive socket outlives the request. */
export async function get (url: string, method = 'GET'): Promise<HttpAnswer> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode as number, body, json: () => JSON.parse(body) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
