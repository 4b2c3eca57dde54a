// The processes of a benchmark: row servers (bench/server.mjs, pinned to one core, talked to over IPC) and the load
// generator (wrk, or autocannon where wrk is missing, pinned to the other core).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpus } from 'node:os'
import { join } from 'node:path'

export const BENCH_DIR = __dirname
export const ROOT = join(BENCH_DIR, '..')
export const SERVER_CORE = 1
export const LOAD_CORE = 0

function works (command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Whether servers and load generator can be pinned to different cores. */
export const PINNED = cpus().length >= 2 && works('taskset', ['-c', '0', 'true'])

export type LoadTool = 'wrk' | 'autocannon'

/** How children are started; run.ts sets them from its options. */
export const settings = {
  /**
   * wrk (C, one thread) costs about half the CPU per request of the Node server it loads; autocannon (Node) about as
   * much as the server, so it competes with it for the machine.
   */
  tool: (works('which', ['wrk']) ? 'wrk' : 'autocannon') as LoadTool,
  /** `nice` adjustment of servers and load generator: negative (root only) lets other work preempt them less. */
  nice: 0
}

export function pinned (core: number, argv: string[]): [string, string[]] {
  const full = [
    ...(settings.nice !== 0 ? ['nice', '-n', String(settings.nice)] : []),
    ...(PINNED ? ['taskset', '-c', String(core)] : []),
    ...argv
  ]
  return [full[0], full.slice(1)]
}

/** The environment of a measured child: no coverage collection or loader hooks inherited from whoever started us. */
function childEnv (plugin: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_V8_COVERAGE
  delete env.NODE_OPTIONS
  if (plugin !== undefined) env.BENCH_PLUGIN = plugin
  return env
}

export interface Usage {
  /** process.cpuUsage() of the server: user and system µs, all its threads. */
  cpu: { user: number, system: number }
  /** Calls of the server's check functions so far. */
  invocations: number
  /** Garbage collections so far and their total pause. */
  gc: { count: number, ms: number }
  rss: number
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** One row's server process. */
export class Server {
  readonly child: ChildProcess
  port = 0
  /** Why the row cannot run on this build (an option it does not have), or undefined. */
  unavailable: string | undefined
  #ids = 0

  constructor (readonly row: string, plugin?: string) {
    const [command, args] = pinned(SERVER_CORE, [process.execPath, join(BENCH_DIR, 'server.mjs'), row])
    this.child = spawn(command, args, { cwd: ROOT, env: childEnv(plugin), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    live.add(this.child)
    this.child.on('exit', () => live.delete(this.child))
  }

  async start (): Promise<this> {
    const msg = await this.#next(m => m.type === 'ready' || m.type === 'unavailable')
    if (msg.type === 'ready') this.port = msg.port as number
    else this.unavailable = String(msg.reason)
    return this
  }

  get url (): string {
    return `http://127.0.0.1:${this.port}/health`
  }

  async usage (): Promise<Usage> {
    const id = ++this.#ids
    const answer = this.#next(m => m.type === 'usage' && m.id === id)
    this.child.send({ type: 'usage', id })
    return await answer as unknown as Usage
  }

  /** Starts the server's CPU profiler, or (with a file) stops it and has the profile written there. */
  async profile (file?: string): Promise<void> {
    const id = ++this.#ids
    const answer = this.#next(m => m.type === 'profile' && m.id === id)
    this.child.send({ type: 'profile', id, file })
    await answer
  }

  /** Closing the IPC channel makes the server exit by itself. */
  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, 'exit')
    if (this.child.connected) this.child.disconnect()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }

  /** The next IPC message that satisfies `match`; rejects on a reported error or if the server exits first. */
  #next (match: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const child = this.child
    return new Promise((resolve, reject) => {
      const onMessage = (msg: Record<string, unknown>): void => {
        if (msg.type === 'error') {
          cleanup()
          reject(new Error(`bench: server ${this.row} failed: ${String(msg.message)}`))
        } else if (match(msg)) {
          cleanup()
          resolve(msg)
        }
      }
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup()
        reject(new Error(`bench: server ${this.row} exited (code ${code}, signal ${signal}) before answering`))
      }
      const cleanup = (): void => {
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.on('exit', onExit)
    })
  }
}

export interface LoadResult {
  requests: number
  /** Seconds the load ran. */
  seconds: number
  /** Latency percentiles in ms. */
  p50: number
  p99: number
  /** Responses other than 2xx/3xx, plus socket errors and timeouts. */
  bad: number
}

function run (command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`bench: ${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** `1.23ms` -> 1.23 */
function wrkMs (text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '')
  return match === null ? NaN : Number(match[1]) * UNIT_MS[match[2]]
}

export function parseWrk (out: string): LoadResult {
  const total = /(\d+) requests in ([\d.]+(?:us|ms|s|m)),/.exec(out)
  if (total === null) throw new Error(`bench: cannot read wrk's output:\n${out}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  return {
    requests: Number(total[1]),
    seconds: wrkMs(total[2]) / 1000,
    p50: wrkMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99: wrkMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    bad: Number(non2xx?.[1] ?? 0) + (socket === null ? 0 : socket.slice(1).reduce((s, n) => s + Number(n), 0))
  }
}

/**
 * Loads `url` for `seconds` (whole seconds) over `connections` keep-alive connections; with `paths`, those paths of
 * its server in turn (wrk only: bench/paths.lua).
 */
export async function load (url: string, seconds: number, connections: number, paths?: readonly string[]): Promise<LoadResult> {
  if (settings.tool === 'wrk') {
    const script = paths === undefined ? [] : ['-s', join(ROOT, 'bench', 'paths.lua')]
    const [command, args] = pinned(LOAD_CORE, ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...script, url, ...(paths === undefined ? [] : ['--', ...paths])])
    return parseWrk(await run(command, args))
  }
  if (paths !== undefined) throw new Error('bench: a row that probes several paths needs wrk (apt-get install wrk)')
  const cli = join(ROOT, 'node_modules', 'autocannon', 'autocannon.js')
  const [command, args] = pinned(LOAD_CORE, [process.execPath, cli, '-c', String(connections), '-d', String(seconds), '-j', url])
  const r = JSON.parse(await run(command, args))
  return {
    requests: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts
  }
}
