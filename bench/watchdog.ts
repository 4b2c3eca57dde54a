// `npm run bench:watchdog`: what the watchdog buys and costs, in one run of about a minute, loopback only.
//
// 1. Idle cost: two servers (bench/watchdog-server.mjs), one with the watchdog and one without, idle side by side;
//    process.cpuUsage() (every thread) over IDLE_S seconds, ROUNDS times. The difference is the heartbeat and the
//    idle worker thread, in µs of CPU per second.
// 2. Saturated: wrk keeps CONNECTIONS connections busy on GET /work (5 ms of synchronous work each) of the server with
//    the watchdog; meanwhile a liveness probe (a fresh connection, as the kubelet makes) goes to the main port and one
//    to the watchdog's every PROBE_EVERY_MS ms. Latency p50/p99 of each, and how the watchdog answered.
//
// Servers run on core 1 (with their worker threads: a pod of one core), wrk on core 0, as in `npm run bench`.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import { join } from 'node:path'
import { freePort, get, type HttpAnswer } from '../test/helpers/net'
import { BENCH_DIR, load, pinned, ROOT, SERVER_CORE, settings } from './processes'

const IDLE_S = 10
const ROUNDS = 5
const LOAD_S = 20
const CONNECTIONS = 256
const PROBE_EVERY_MS = 100
const PROBE_TIMEOUT_MS = 10_000
// --two-cores: the servers may run on both cores (a pod with more than one CPU); by default they share core 1.
const TWO_CORES = process.argv.includes('--two-cores')

interface Server {
  child: ChildProcess
  port: number
  usage: () => Promise<{ user: number, system: number }>
}

async function startServer (watchdogPort?: number): Promise<Server> {
  const env = { ...process.env }
  delete env.NODE_V8_COVERAGE
  delete env.NODE_OPTIONS
  const argv = [process.execPath, join(BENCH_DIR, 'watchdog-server.mjs'), ...(watchdogPort === undefined ? [] : [String(watchdogPort)])]
  const [command, args] = TWO_CORES ? [argv[0], argv.slice(1)] : pinned(SERVER_CORE, argv)
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  process.on('exit', () => child.kill('SIGKILL'))
  const [ready] = await once(child, 'message') as [{ port: number }]
  let ids = 0
  const usage = async (): Promise<{ user: number, system: number }> => {
    const id = ++ids
    const answer = new Promise<{ user: number, system: number }>(resolve => {
      const onMessage = (msg: { type: string, id: number, cpu: { user: number, system: number } }): void => {
        if (msg.type === 'usage' && msg.id === id) {
          child.off('message', onMessage)
          resolve(msg.cpu)
        }
      }
      child.on('message', onMessage)
    })
    child.send({ type: 'usage', id })
    return await answer
  }
  return { child, port: ready.port, usage }
}

async function stopServer (server: Server): Promise<void> {
  const exited = once(server.child, 'exit')
  server.child.disconnect()
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const cpu = (u: { user: number, system: number }): number => u.user + u.system
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}
const fmt = (ms: number): string => ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)

interface Probe { ms: number, status: number | 'timeout' | 'error', busy: boolean }

async function probe (url: string): Promise<Probe> {
  const started = performance.now()
  try {
    const answer: HttpAnswer = await get(url, { timeoutMs: PROBE_TIMEOUT_MS })
    return { ms: answer.ms, status: answer.status, busy: answer.body.includes('"main_thread"') }
  } catch (err) {
    return { ms: performance.now() - started, status: (err as Error).name === 'AbortError' ? 'timeout' : 'error', busy: false }
  }
}

async function main (): Promise<void> {
  if (settings.tool !== 'wrk') console.log('bench: wrk not found; autocannon loads the server instead (it competes with it for CPU)')
  const watchdogPort = await freePort()
  const [withWatchdog, without] = await Promise.all([startServer(watchdogPort), startServer()])
  const started = new Date().toISOString()
  const loadBefore = os.loadavg().map(n => n.toFixed(1)).join(' / ')

  // 1. Idle.
  await sleep(2000)
  const idle: Array<{ watchdog: number, plain: number }> = []
  for (let round = 0; round < ROUNDS; round++) {
    const [a0, b0] = await Promise.all([withWatchdog.usage(), without.usage()])
    const t0 = performance.now()
    await sleep(IDLE_S * 1000)
    const [a1, b1] = await Promise.all([withWatchdog.usage(), without.usage()])
    const seconds = (performance.now() - t0) / 1000
    idle.push({ watchdog: (cpu(a1) - cpu(a0)) / seconds, plain: (cpu(b1) - cpu(b0)) / seconds })
  }
  await stopServer(without)

  // 2. Saturated.
  const main = `http://127.0.0.1:${withWatchdog.port}`
  const watchdog = `http://127.0.0.1:${watchdogPort}`
  const loading = load(`${main}/work`, LOAD_S, CONNECTIONS)
  await sleep(2000)
  const probes: { main: Array<Promise<Probe>>, watchdog: Array<Promise<Probe>> } = { main: [], watchdog: [] }
  const probeUntil = performance.now() + (LOAD_S - 4) * 1000
  while (performance.now() < probeUntil) {
    probes.main.push(probe(`${main}/health`))
    probes.watchdog.push(probe(`${watchdog}/health`))
    await sleep(PROBE_EVERY_MS)
  }
  const [mainProbes, watchdogProbes, loadResult] = await Promise.all([Promise.all(probes.main), Promise.all(probes.watchdog), loading])
  await stopServer(withWatchdog)

  const lines: string[] = []
  const idleWatchdog = median(idle.map(r => r.watchdog))
  const idlePlain = median(idle.map(r => r.plain))
  const extra = median(idle.map(r => r.watchdog - r.plain))
  lines.push(`- Run: ${started}, Node ${process.version}; ${TWO_CORES ? 'servers on both cores' : `servers on core ${SERVER_CORE} (worker thread included)`}, ${settings.tool} on core 0; load average before ${loadBefore}, after ${os.loadavg().map(n => n.toFixed(1)).join(' / ')}.`)
  lines.push(`- Idle, ${ROUNDS} × ${IDLE_S} s: with the watchdog ${idleWatchdog.toFixed(0)} µs/s, without ${idlePlain.toFixed(0)} µs/s; difference (median of rounds) **${extra.toFixed(0)} µs/s = ${(extra / 1e4).toFixed(3)} % of a core** (rounds: ${idle.map(r => (r.watchdog - r.plain).toFixed(0)).join(', ')} µs/s). Target < 1000 µs/s (0.1 %).`)
  lines.push(`- Saturated: ${settings.tool}, ${CONNECTIONS} connections on GET /work (5 ms sync): ${Math.round(loadResult.requests / loadResult.seconds)} req/s, its p50 ${fmt(loadResult.p50)} ms, p99 ${fmt(loadResult.p99)} ms. A liveness probe per port every ${PROBE_EVERY_MS} ms, each on a fresh connection, ${PROBE_TIMEOUT_MS / 1000} s client timeout:`)
  lines.push('')
  lines.push('| port | probes | p50 ms | p99 ms | max ms | answers | target |')
  lines.push('| --- | ---: | ---: | ---: | ---: | --- | --- |')
  const row = (name: string, list: Probe[], target: string): string => {
    const counts = new Map<string, number>()
    for (const p of list) {
      const key = p.busy ? `${p.status} busy` : String(p.status)
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const ms = list.map(p => p.ms)
    return `| ${name} | ${list.length} | ${fmt(percentile(ms, 50))} | **${fmt(percentile(ms, 99))}** | ${fmt(Math.max(...ms))} | ${[...counts].map(([k, n]) => `${k}: ${n}`).join(', ')} | ${target} |`
  }
  lines.push(row('main port `/health`', mainProbes, 'p99 > 1000 (the saturation the watchdog is for)'))
  lines.push(row('watchdog `/health`', watchdogProbes, 'p99 < 50'))
  console.log(lines.join('\n'))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
