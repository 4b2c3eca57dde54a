// The benchmark of issue 7: `npm run bench` (tsx bench/run.ts). Writes bench/results.md (and bench/results.json).
//
// Every target is a separate server process (bench/server.mjs, built plugin from dist/) pinned to core 1, loaded by
// autocannon in another process (bench/load.mjs) pinned to core 0, one target at a time, in an order that is
// reversed every other round. Figures are medians over the rounds. The server reports its own CPU time over IPC
// before and after each measured run, so that CPU per request counts only the requests of the run.
//
// Environment:
//   BENCH_ROUNDS (3)          rounds over all targets
//   BENCH_DURATION (5)        seconds per measured run
//   BENCH_WARMUP (1)          seconds of unmeasured load before each measured run
//   BENCH_CONNECTIONS (50)    autocannon connections
//   BENCH_TARGETS             comma-separated subset of the throughput targets (default: all)
//   BENCH_BURST (1000)        simultaneous requests on the 100 ms check (0 skips)
//   BENCH_SOAK_REQUESTS (1000000) requests of the memory soak (0 skips)
//   BENCH_CPU_PROF            directory: each server profiles its measured runs (V8 CPU profiler) and writes
//                             <target>-r<round>.cpuprofile there; summarise with node bench/cpuprofile-top.mjs
//   BENCH_DOCS=1              also rewrite the table in README.md (between its bench markers)
//   BENCH_PLUGIN              path to another build's index.js, loaded by the servers instead of the package
//                             (to measure a candidate change to lib/; its node_modules must resolve fastify-plugin)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'

const BENCH_DIR = __dirname
const ROOT = join(BENCH_DIR, '..')

function envNumber (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`bench: ${name} must be a non-negative number, received ${JSON.stringify(raw)}`)
  return value
}

const ROUNDS = Math.max(1, Math.floor(envNumber('BENCH_ROUNDS', 3)))
const DURATION = envNumber('BENCH_DURATION', 5)
const WARMUP = envNumber('BENCH_WARMUP', 1)
const CONNECTIONS = Math.max(1, Math.floor(envNumber('BENCH_CONNECTIONS', 50)))
const BURST = Math.floor(envNumber('BENCH_BURST', 1000))
const SOAK_REQUESTS = Math.floor(envNumber('BENCH_SOAK_REQUESTS', 1_000_000))
const CPU_PROF = process.env.BENCH_CPU_PROF
const WRITE_DOCS = process.env.BENCH_DOCS === '1'

interface Target {
  name: string
  label: string
}

/** Throughput targets, in table order. */
const ALL_TARGETS: Target[] = [
  { name: 'node-http', label: 'node:http constant JSON (reference)' },
  { name: 'floor', label: '**floor**: Fastify route, constant report, same schema' },
  { name: 'naive-allsettled-3', label: 'hand-written allSettled route, 3 async checks' },
  { name: 'fh-0', label: 'fastify-health, 0 checks' },
  { name: 'fh-1-async', label: 'fastify-health, 1 async check' },
  { name: 'fh-1-async-ttl1000', label: 'fastify-health, 1 async check, cacheTtl 1000' },
  { name: 'fh-3-sync', label: 'fastify-health, 3 sync checks' },
  { name: 'fh-3-sync-ttl1000', label: 'fastify-health, 3 sync checks, cacheTtl 1000' },
  { name: 'fh-3-async', label: 'fastify-health, 3 async checks' },
  { name: 'fh-10-mixed', label: 'fastify-health, 10 checks (5 sync, 5 async)' },
  { name: 'fh-3x20ms-ttl0', label: 'fastify-health, 3 checks × 20 ms, cacheTtl 0' },
  { name: 'fh-3x20ms-ttl1000', label: 'fastify-health, 3 checks × 20 ms, cacheTtl 1000' },
  { name: 'fh-10x50ms', label: 'fastify-health, 10 checks × 50 ms, cacheTtl 0' },
  { name: 'under-pressure', label: '@fastify/under-pressure status route, 1 healthCheck' },
  { name: 'fastify-healthcheck', label: 'fastify-healthcheck (check on a 1 s interval)' },
  { name: 'custom-healthcheck-3', label: 'fastify-custom-healthcheck, 3 checks' }
]

const selected = process.env.BENCH_TARGETS?.split(',').map(s => s.trim()).filter(s => s !== '')
for (const name of selected ?? []) {
  if (!ALL_TARGETS.some(t => t.name === name)) throw new Error(`bench: unknown target ${JSON.stringify(name)} in BENCH_TARGETS`)
}
const TARGETS = selected === undefined ? ALL_TARGETS : ALL_TARGETS.filter(t => selected.includes(t.name))

// ---------------------------------------------------------------------------------------------------------------
// Processes

function hasTaskset (): boolean {
  if (cpus().length < 2) return false
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const PIN = hasTaskset()

/** The environment of a measured child: no coverage collection or loader hooks inherited from whoever started us. */
function childEnv (): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_V8_COVERAGE
  delete env.NODE_OPTIONS
  return env
}

/** Starts `node <args>` pinned to `core` (when taskset is usable), with an IPC channel. */
function spawnNode (core: number, args: string[]): ChildProcess {
  const command = PIN ? 'taskset' : process.execPath
  const argv = PIN ? ['-c', String(core), process.execPath, ...args] : args
  return spawn(command, argv, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

/** The next IPC message of `child` that satisfies `match`; rejects if the child exits first. */
function nextMessage<T> (child: ChildProcess, match: (msg: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: Record<string, unknown>): void => {
      if (msg.type === 'error') {
        cleanup()
        reject(new Error(`bench: child failed: ${String(msg.message)}`))
      } else if (match(msg)) {
        cleanup()
        resolve(msg as T)
      }
    }
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup()
      reject(new Error(`bench: child exited (code ${code}, signal ${signal}) before answering`))
    }
    const cleanup = (): void => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Ends a child: closing the IPC channel makes it exit by itself (so that --cpu-prof can write its profile). */
async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  if (child.connected) child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

interface Usage {
  cpu: { user: number, system: number }
  rss: number
  heapUsed: number
  activeResources: number
  invocations: number
  overlapping: number
  arrivals: { first: number, last: number, count: number }
}

class Server {
  readonly child: ChildProcess
  port = 0
  #ids = 0

  constructor (readonly target: string, nodeFlags: string[] = []) {
    this.child = spawnNode(1, [...nodeFlags, join(BENCH_DIR, 'server.mjs'), target])
    live.add(this.child)
    this.child.on('exit', () => live.delete(this.child))
  }

  async start (): Promise<this> {
    const ready = await nextMessage<{ port: number }>(this.child, m => m.type === 'ready')
    this.port = ready.port
    return this
  }

  async usage (gc = false): Promise<Usage> {
    const id = ++this.#ids
    const answer = nextMessage<Usage>(this.child, m => m.type === 'usage' && m.id === id)
    this.child.send({ type: 'usage', id, gc })
    return await answer
  }

  /** Starts the server's CPU profiler, or (with a file) stops it and has the profile written there. */
  async profile (file?: string): Promise<void> {
    const id = ++this.#ids
    const answer = nextMessage(this.child, m => m.type === 'profile' && m.id === id)
    this.child.send({ type: 'profile', id, file })
    await answer
  }

  async stop (): Promise<void> {
    await stop(this.child)
  }
}

interface LoadResult {
  requests: number
  duration: number
  reqPerSec: number
  p50: number
  p99: number
  non2xx: number
  statusCodes: Record<string, number>
  errors: number
  timeouts: number
}

/**
 * One measured autocannon run against `server`, from a load process pinned to core 0: warm-up, server usage,
 * measured run, server usage.
 */
async function load (server: Server, warmup: object | null, measure: object, gc = false, profileFile?: string): Promise<{ result: LoadResult, before: Usage, after: Usage }> {
  const child = spawnNode(0, [join(BENCH_DIR, 'load.mjs')])
  live.add(child)
  try {
    const warm = nextMessage(child, m => m.type === 'warm')
    child.send({ type: 'run', warmup, measure })
    await warm
    const before = await server.usage(gc)
    if (profileFile !== undefined) await server.profile()
    const done = nextMessage<{ result: LoadResult }>(child, m => m.type === 'result')
    child.send({ type: 'go' })
    const { result } = await done
    const after = await server.usage(gc)
    if (profileFile !== undefined) await server.profile(profileFile)
    return { result, before, after }
  } finally {
    await stop(child)
    live.delete(child)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  cpuUsPerReq: number
  rssMB: number
  checkCallsPerSec: number
  non2xx: number
  errors: number
}

const mb = (bytes: number): number => bytes / 1024 / 1024

async function measureTarget (target: Target, round: number): Promise<Sample> {
  const server = await new Server(target.name).start()
  try {
    const url = `http://127.0.0.1:${server.port}/health`
    const warmup = WARMUP > 0 ? { url, connections: CONNECTIONS, duration: WARMUP } : null
    const profileFile = CPU_PROF === undefined ? undefined : join(CPU_PROF, `${target.name}-r${round + 1}.cpuprofile`)
    const { result, before, after } = await load(server, warmup, { url, connections: CONNECTIONS, duration: DURATION }, false, profileFile)
    const cpuMicros = (after.cpu.user - before.cpu.user) + (after.cpu.system - before.cpu.system)
    return {
      reqPerSec: result.reqPerSec,
      p50: result.p50,
      p99: result.p99,
      cpuUsPerReq: result.requests > 0 ? cpuMicros / result.requests : NaN,
      rssMB: mb(after.rss),
      checkCallsPerSec: (after.invocations - before.invocations) / result.duration,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts
    }
  } finally {
    await server.stop()
  }
}

interface BurstResult {
  n: number
  writtenMs: number
  ok: number
  wallMs: number
  minMs: number
  p50: number
  maxMs: number
  invocations: number
  overlapping: number
  arrivalSpreadMs: number
  arrivals: number
}

/** BURST simultaneous requests on one 100 ms check with no cache: single-flight should call the check once. */
async function measureBurst (): Promise<BurstResult> {
  const server = await new Server('fh-1x100ms').start()
  const child = spawnNode(0, [join(BENCH_DIR, 'load.mjs')])
  live.add(child)
  try {
    const done = nextMessage<{ result: Omit<BurstResult, 'invocations' | 'overlapping' | 'arrivalSpreadMs' | 'arrivals'> }>(child, m => m.type === 'result')
    child.send({ type: 'burst', port: server.port, path: '/health', n: BURST })
    const { result } = await done
    const usage = await server.usage()
    return { ...result, invocations: usage.invocations, overlapping: usage.overlapping, arrivalSpreadMs: usage.arrivals.last - usage.arrivals.first, arrivals: usage.arrivals.count }
  } finally {
    await stop(child)
    live.delete(child)
    await server.stop()
  }
}

interface SoakResult {
  requests: number
  seconds: number
  reqPerSec: number
  statusCodes: Record<string, number>
  errors: number
  checkInvocations: number
  start: { rssMB: number, heapMB: number, activeResources: number }
  end: { rssMB: number, heapMB: number, activeResources: number }
}

/**
 * SOAK_REQUESTS requests over HTTP, alternating the two probe routes, on checks that fail, throw, reject, hang
 * (5 ms timeout), settle late or listen on their signal. Memory is read after forced GCs, once warm and at the end.
 */
async function measureSoak (): Promise<SoakResult> {
  const server = await new Server('fh-leak-mix', ['--expose-gc']).start()
  try {
    const base = { url: `http://127.0.0.1:${server.port}`, connections: 200, requests: [{ path: '/health' }, { path: '/health/ready' }] }
    const warmupAmount = Math.min(100_000, SOAK_REQUESTS)
    const { result, before, after } = await load(server, { ...base, amount: warmupAmount }, { ...base, amount: SOAK_REQUESTS }, true)
    const shape = (u: Usage): SoakResult['start'] => ({ rssMB: mb(u.rss), heapMB: mb(u.heapUsed), activeResources: u.activeResources })
    return {
      requests: result.requests,
      seconds: result.duration,
      reqPerSec: result.reqPerSec,
      statusCodes: result.statusCodes,
      errors: result.errors + result.timeouts,
      checkInvocations: after.invocations - before.invocations,
      start: shape(before),
      end: shape(after)
    }
  } finally {
    await server.stop()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function median (values: number[]): number {
  const sorted = values.filter(v => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

type Summary = Sample & { rounds: number }

function summarise (samples: Sample[]): Summary {
  const pick = (key: keyof Sample): number => median(samples.map(s => s[key]))
  return {
    reqPerSec: pick('reqPerSec'),
    p50: pick('p50'),
    p99: pick('p99'),
    cpuUsPerReq: pick('cpuUsPerReq'),
    rssMB: pick('rssMB'),
    checkCallsPerSec: pick('checkCallsPerSec'),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    rounds: samples.length
  }
}

const fixed = (value: number, digits: number): string => Number.isNaN(value) ? '–' : value.toFixed(digits)
const thousands = (value: number): string => Number.isNaN(value) ? '–' : Math.round(value).toLocaleString('en-US')

function machine (): string {
  let model = cpus()[0]?.model ?? 'unknown'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find(l => l.startsWith('model name'))
    if (line !== undefined) model = line.split(':')[1].trim()
  } catch { /* not Linux: os.cpus() has it */ }
  return `${cpus().length} cores (nproc), ${model}, Node ${process.version}, ${process.platform}/${process.arch}`
}

function table (summaries: Map<string, Summary>): string {
  const floor = summaries.get('floor')
  const rows = [
    '| target | req/s | p50 ms | p99 ms | server CPU µs/req | RSS MB | req/s ×floor | CPU ×floor | check calls/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const target of TARGETS) {
    const s = summaries.get(target.name)
    if (s === undefined) continue
    const ratioRps = floor === undefined ? NaN : s.reqPerSec / floor.reqPerSec
    const ratioCpu = floor === undefined ? NaN : s.cpuUsPerReq / floor.cpuUsPerReq
    const flag = s.non2xx + s.errors > 0 ? ` (${s.non2xx} non-2xx, ${s.errors} errors)` : ''
    rows.push(`| ${target.label}${flag} | ${thousands(s.reqPerSec)} | ${fixed(s.p50, 1)} | ${fixed(s.p99, 1)} | ${fixed(s.cpuUsPerReq, 1)} | ${fixed(s.rssMB, 0)} | ${fixed(ratioRps, 2)} | ${fixed(ratioCpu, 2)} | ${thousands(s.checkCallsPerSec)} |`)
  }
  return rows.join('\n')
}

interface Verdict { goal: string, measured: string, met: boolean | null }

function verdicts (summaries: Map<string, Summary>, bursts: BurstResult[], soak: SoakResult | undefined): Verdict[] {
  const out: Verdict[] = []
  const get = (name: string): Summary | undefined => summaries.get(name)
  const floor = get('floor')
  const sync3 = get('fh-3-sync')
  const sync3Ttl = get('fh-3-sync-ttl1000')
  if (floor !== undefined && sync3 !== undefined) {
    const r = sync3.reqPerSec / floor.reqPerSec
    const c = sync3.cpuUsPerReq / floor.cpuUsPerReq
    out.push({ goal: '3 sync checks: ≥ 0.90× floor req/s', measured: `${r.toFixed(3)}×`, met: r >= 0.90 })
    out.push({ goal: '3 sync checks: ≤ 1.15× floor CPU/req', measured: `${c.toFixed(3)}× (${sync3.cpuUsPerReq.toFixed(1)} vs ${floor.cpuUsPerReq.toFixed(1)} µs)`, met: c <= 1.15 })
  }
  if (floor !== undefined && sync3Ttl !== undefined) {
    const r = sync3Ttl.reqPerSec / floor.reqPerSec
    const c = sync3Ttl.cpuUsPerReq / floor.cpuUsPerReq
    out.push({ goal: '3 sync checks, cacheTtl on: ≥ 0.97× floor req/s', measured: `${r.toFixed(3)}× (CPU ${c.toFixed(3)}×)`, met: r >= 0.97 })
  }
  const versus: Array<[string, string]> = [
    ['fh-1-async', 'under-pressure'],
    ['fh-1-async', 'fastify-healthcheck'],
    ['fh-1-async-ttl1000', 'fastify-healthcheck'],
    ['fh-3-async', 'custom-healthcheck-3']
  ]
  for (const [ours, theirs] of versus) {
    const a = get(ours)
    const b = get(theirs)
    if (a === undefined || b === undefined) continue
    const met = a.reqPerSec >= b.reqPerSec && a.cpuUsPerReq <= b.cpuUsPerReq
    out.push({
      goal: `${ours} ahead of ${theirs} (req/s and CPU/req)`,
      measured: `${thousands(a.reqPerSec)} vs ${thousands(b.reqPerSec)} req/s; ${a.cpuUsPerReq.toFixed(1)} vs ${b.cpuUsPerReq.toFixed(1)} µs/req`,
      met
    })
  }
  const slow = get('fh-10x50ms')
  if (slow !== undefined) out.push({ goal: '10 checks × 50 ms: p50 < 60 ms', measured: `p50 ${slow.p50.toFixed(1)} ms, p99 ${slow.p99.toFixed(1)} ms`, met: slow.p50 < 60 })
  if (bursts.length > 0) {
    const calls = bursts.map(b => b.invocations)
    out.push({
      goal: `${BURST} concurrent requests on a 100 ms check: 1 invocation`,
      measured: `invocations per burst: ${calls.join(', ')} (of which started while another was running: ${bursts.map(b => b.overlapping).join(', ')}); ` +
        `requests reached the server over ${bursts.map(b => b.arrivalSpreadMs.toFixed(0)).join(', ')} ms; all ${bursts.every(b => b.ok === b.n) ? '' : 'NOT '}answered 200` +
        (bursts.some(b => b.invocations > 1 && b.arrivalSpreadMs > 100) ? '. Where arrivals spread over more than the check\'s 100 ms, later requests rightly started a new run: the server could not read the burst within one run' : ''),
      met: calls.every(c => c === 1) && bursts.every(b => b.ok === b.n)
    })
  }
  if (soak !== undefined) {
    const dRss = soak.end.rssMB - soak.start.rssMB
    const dHeap = soak.end.heapMB - soak.start.heapMB
    out.push({
      goal: `${soak.requests.toLocaleString('en-US')} requests of failing/throwing/timing-out checks: RSS and heap after GC within 10 MB`,
      measured: `RSS ${soak.start.rssMB.toFixed(1)} → ${soak.end.rssMB.toFixed(1)} MB (${dRss >= 0 ? '+' : ''}${dRss.toFixed(1)}); heap ${soak.start.heapMB.toFixed(1)} → ${soak.end.heapMB.toFixed(1)} MB (${dHeap >= 0 ? '+' : ''}${dHeap.toFixed(1)}); active handles ${soak.start.activeResources} → ${soak.end.activeResources}`,
      met: Math.abs(dRss) <= 10 && Math.abs(dHeap) <= 10 && soak.requests === SOAK_REQUESTS
    })
  }
  return out
}

function verdictTable (list: Verdict[]): string {
  const rows = ['| goal | measured | met |', '| --- | --- | :---: |']
  for (const v of list) rows.push(`| ${v.goal} | ${v.measured} | ${v.met === null ? '–' : v.met ? 'yes' : '**no**'} |`)
  return rows.join('\n')
}

// ---------------------------------------------------------------------------------------------------------------

async function main (): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    throw new Error('bench: dist/ is missing; build first (npx tsc -p tsconfig.build.json)')
  }
  const loadBefore = loadavg()
  const startedAt = new Date()
  console.error(`bench: ${machine()}; load average ${loadBefore.map(l => l.toFixed(2)).join(' ')}; pinning ${PIN ? 'on (server core 1, load core 0)' : 'off (taskset unavailable or < 2 cores)'}`)
  console.error(`bench: ${TARGETS.length} targets × ${ROUNDS} rounds × (${WARMUP} s warm-up + ${DURATION} s), ${CONNECTIONS} connections`)

  const samples = new Map<string, Sample[]>(TARGETS.map(t => [t.name, []]))
  const bursts: BurstResult[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse()
    for (const target of order) {
      const sample = await measureTarget(target, round)
      samples.get(target.name)?.push(sample)
      console.error(`round ${round + 1}/${ROUNDS} ${target.name.padEnd(22)} ${thousands(sample.reqPerSec).padStart(7)} req/s  p50 ${fixed(sample.p50, 1).padStart(5)} ms  p99 ${fixed(sample.p99, 1).padStart(5)} ms  ${fixed(sample.cpuUsPerReq, 1).padStart(6)} µs/req  rss ${fixed(sample.rssMB, 0)} MB`)
    }
    if (BURST > 0) {
      const burst = await measureBurst()
      bursts.push(burst)
      console.error(`round ${round + 1}/${ROUNDS} burst of ${burst.n}: ${burst.invocations} check invocation(s) (${burst.overlapping} overlapping), written in ${burst.writtenMs.toFixed(1)} ms, arrivals over ${burst.arrivalSpreadMs.toFixed(1)} ms, ${burst.ok} × 200, p50 ${burst.p50.toFixed(1)} ms, max ${burst.maxMs.toFixed(1)} ms`)
    }
  }

  let soak: SoakResult | undefined
  if (SOAK_REQUESTS > 0) {
    console.error(`bench: memory soak, ${SOAK_REQUESTS.toLocaleString('en-US')} requests…`)
    soak = await measureSoak()
    console.error(`bench: soak done in ${soak.seconds.toFixed(1)} s: RSS ${soak.start.rssMB.toFixed(1)} → ${soak.end.rssMB.toFixed(1)} MB, heap ${soak.start.heapMB.toFixed(1)} → ${soak.end.heapMB.toFixed(1)} MB, active handles ${soak.start.activeResources} → ${soak.end.activeResources}, ${soak.checkInvocations} check calls, statuses ${JSON.stringify(soak.statusCodes)}`)
  }
  const loadAfter = loadavg()

  const summaries = new Map([...samples].map(([name, list]) => [name, summarise(list)]))
  const results = table(summaries)
  const verdictList = verdicts(summaries, bursts, soak)
  const conditions = [
    `- Machine: ${machine()}.`,
    ...(process.env.BENCH_PLUGIN ? [`- Plugin build: ${process.env.BENCH_PLUGIN} (BENCH_PLUGIN), not the package's dist/.`] : []),
    `- Run: ${startedAt.toISOString()}, ${ROUNDS} round(s), ${WARMUP} s warm-up + ${DURATION} s measured per target, autocannon -c ${CONNECTIONS}; server ${PIN ? 'pinned to core 1, load generator to core 0 (taskset)' : 'and load generator NOT pinned (taskset unavailable or < 2 cores)'}; medians over rounds; order reversed every other round.`,
    `- Load average (1/5/15 min) before: ${loadBefore.map(l => l.toFixed(2)).join(' / ')}; after: ${loadAfter.map(l => l.toFixed(2)).join(' / ')}.${Math.max(loadBefore[0], loadAfter[0]) > 0.5 ? ' **Other work was running on this machine: absolute figures are noisy; compare the CPU µs/req column, which is each server\'s own CPU time.**' : ''}`
  ].join('\n')

  // Profiles of the first round's runs, summarised (top functions and files by self time).
  let profiles = ''
  if (CPU_PROF !== undefined) {
    const parts = TARGETS.map(t => {
      const file = join(CPU_PROF, `${t.name}-r1.cpuprofile`)
      if (!existsSync(file)) return ''
      const top = execFileSync(process.execPath, [join(BENCH_DIR, 'cpuprofile-top.mjs'), file, '15'], { encoding: 'utf8' })
      return `<details><summary>${t.name}</summary>\n\n\`\`\`\n${top.trim()}\n\`\`\`\n</details>\n`
    })
    profiles = ['## CPU profiles (this run was profiled: its figures carry the profiler\'s overhead)', '', ...parts].join('\n')
  }
  const findingsPath = join(BENCH_DIR, 'profile-findings.md')
  const findings = existsSync(findingsPath) ? readFileSync(findingsPath, 'utf8').trim() : ''

  const md = [
    '# Benchmark results',
    '',
    'Generated by `npm run bench` (bench/run.ts); see the Benchmark section of README.md for what each row means.',
    '',
    conditions,
    '',
    results,
    '',
    '## Goals of issue 7',
    '',
    verdictTable(verdictList),
    '',
    bursts.length === 0 ? '' : `Burst detail: ${JSON.stringify(bursts)}`,
    '',
    soak === undefined ? '' : `Soak detail: ${JSON.stringify(soak)}`,
    '',
    profiles,
    '',
    findings,
    ''
  ].join('\n')
  writeFileSync(join(BENCH_DIR, 'results.md'), md)
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify({ conditions: { startedAt, rounds: ROUNDS, duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, pinned: PIN, loadBefore, loadAfter, machine: machine() }, samples: Object.fromEntries(samples), summaries: Object.fromEntries(summaries), bursts, soak }, null, 2) + '\n')

  if (WRITE_DOCS) {
    const docsPath = join(ROOT, 'README.md')
    const docs = readFileSync(docsPath, 'utf8')
    const start = '<!-- bench:start -->'
    const end = '<!-- bench:end -->'
    const from = docs.indexOf(start)
    const to = docs.indexOf(end)
    if (from < 0 || to < from) throw new Error(`bench: ${docsPath} has no ${start} … ${end} markers`)
    writeFileSync(docsPath, `${docs.slice(0, from + start.length)}\n${conditions}\n\n${results}\n\n${verdictTable(verdictList)}\n${docs.slice(to)}`)
  }
  console.log(`${conditions}\n\n${results}\n\n${verdictTable(verdictList)}`)
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
