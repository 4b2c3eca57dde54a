// `npm run bench [-- options]`: server CPU per request of every row, round after round. See bench/README.md.
//
// Every row's servers (several identical processes, "replicas") start once and stay up, pinned to one core; the load
// generator, pinned to the other core, loads one server at a time, every row once per round, in an order reversed
// every other round (and shuffled between pairs of rounds), each round on the next replica. Each server reports its own process.cpuUsage() over IPC before
// and after its run, so CPU µs/req counts the server's work for the requests of that run only.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_DIR, type LoadTool, PINNED, ROOT, SERVER_CORE, LOAD_CORE, Server, load, settings } from './processes'
import { type Sample, summarise, table } from './report'
import { FLOOR, ROWS, type Row } from './rows'

const IS_ROOT = process.getuid?.() === 0

const USAGE = `usage: npm run bench -- [options]
  --rounds N        rounds over all rows (default 11)
  --duration S      measured seconds per row and round, whole seconds (default 4)
  --replicas N      identical server processes per row, used in turn, one per round (default 3)
  --warmup S        unmeasured seconds of load on every server before the first round (default 1)
  --connections N   keep-alive connections of the load generator (default 50)
  --only a,b        only these rows (plus the floor, and the rows a target must stay below or is against); rows: ${ROWS.map(r => r.name).join(', ')}
  --plugin PATH     load another build's index.js instead of dist/ (its formats/schema.js, or schema.js, beside it)
  --load TOOL       wrk or autocannon (default: wrk when installed)
  --nice N          nice adjustment of servers and load generator (default ${IS_ROOT ? '-10 as root' : '0'}; 0 turns it off)
  --out PREFIX      write PREFIX.md and PREFIX.json (default bench/results)`

function options () {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '11' },
      duration: { type: 'string', default: '4' },
      replicas: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '50' },
      only: { type: 'string' },
      plugin: { type: 'string' },
      load: { type: 'string', default: settings.tool },
      nice: { type: 'string', default: IS_ROOT ? '-10' : '0' },
      out: { type: 'string', default: join(BENCH_DIR, 'results') },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const whole = (name: 'rounds' | 'duration' | 'replicas' | 'warmup' | 'connections' | 'nice', min: number): number => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${name} must be a whole number ≥ ${min}, received ${values[name]}\n${USAGE}`)
    return n
  }
  const only = values.only?.split(',').map(s => s.trim()).filter(s => s !== '')
  for (const name of only ?? []) {
    if (!ROWS.some(r => r.name === name)) throw new Error(`bench: unknown row ${JSON.stringify(name)}\n${USAGE}`)
  }
  const plugin = values.plugin === undefined ? undefined : resolve(values.plugin)
  if (plugin !== undefined && !existsSync(plugin)) throw new Error(`bench: --plugin ${plugin} does not exist`)
  const tool = values.load as LoadTool
  if (tool !== 'wrk' && tool !== 'autocannon') throw new Error(`bench: --load must be wrk or autocannon\n${USAGE}`)
  return {
    rounds: whole('rounds', 1),
    duration: whole('duration', 1),
    replicas: whole('replicas', 1),
    warmup: whole('warmup', 0),
    connections: whole('connections', 1),
    nice: whole('nice', -20),
    load: tool,
    rows: only === undefined ? ROWS : withComparisons(only),
    plugin,
    out: resolve(values.out)
  }
}

/** The named rows, plus the rows their ratios need: the floor, and any row a target must stay below or is against. */
function withComparisons (names: string[]): Row[] {
  const wanted = new Set([FLOOR, ...names])
  for (const row of ROWS) {
    if (wanted.has(row.name) && row.target?.below !== undefined) wanted.add(row.target.below)
    if (wanted.has(row.name) && row.target?.against !== undefined) wanted.add(row.target.against)
  }
  return ROWS.filter(r => wanted.has(r.name))
}

function machine (): string {
  const model = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find(l => l.startsWith('model name'))?.split(':')[1]?.trim()
  return `${cpus().length} cores, ${model ?? cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`
}

/** The commit the measured build comes from, marked dirty when lib/ has changes. */
function build (plugin: string | undefined): string {
  if (plugin !== undefined) return plugin
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return `dist/ built from ${commit}${dirty ? ' with uncommitted changes to lib/' : ''}`
  } catch {
    return 'dist/'
  }
}

/**
 * The order of a round: a shuffle of the rows, fixed for each pair of rounds, then the same order reversed in the
 * pair's second round. Reversing evens out each row's position within a pair of rounds; shuffling gives each row
 * different neighbours from one pair to the next, so no row is always measured right after the same one.
 */
function order<T> (rows: T[], round: number): T[] {
  const pair = Math.floor((round - 1) / 2)
  const shuffled = [...rows]
  let state = pair * 2654435761 + 1
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state / 2 ** 32
  }
  // Fisher-Yates; the first pair keeps the table order.
  if (pair > 0) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
  }
  return round % 2 === 1 ? shuffled : shuffled.reverse()
}

/** One measured run: the server's CPU time and check calls across a load of `duration` seconds. */
async function measure (server: Server, round: number, replica: number, duration: number, connections: number): Promise<Sample> {
  const before = await server.usage()
  const result = await load(server.url, duration, connections, ROWS.find(r => r.name === server.row)?.paths)
  const after = await server.usage()
  const user = after.cpu.user - before.cpu.user
  const system = after.cpu.system - before.cpu.system
  return {
    round,
    replica,
    cpuUsPerReq: (user + system) / result.requests,
    systemUsPerReq: system / result.requests,
    reqPerSec: result.requests / result.seconds,
    p50: result.p50,
    p99: result.p99,
    checkCallsPerSec: (after.invocations - before.invocations) / result.seconds,
    gcPer1000: 1000 * (after.gc.count - before.gc.count) / result.requests,
    gcUsPerReq: 1000 * (after.gc.ms - before.gc.ms) / result.requests,
    bad: result.bad,
    rssMB: after.rss / 1024 / 1024
  }
}

async function main (): Promise<void> {
  const opts = options()
  settings.tool = opts.load
  settings.nice = opts.nice
  if (opts.plugin === undefined && !existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('bench: dist/ is missing; run npm run build')
  const loadBefore = loadavg()
  const startedAt = new Date()
  const estimate = 10 + opts.rows.length * (opts.replicas * (opts.warmup + 0.3) + opts.rounds * (opts.duration + 0.3))
  const setup = `${opts.load} with ${opts.connections} keep-alive connections; ` +
    (PINNED ? `servers pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE}` : '**not pinned** (no taskset or one core)') +
    (opts.nice !== 0 ? `, both at nice ${opts.nice}` : '')
  console.error(`bench: ${machine()}; ${setup}`)
  console.error(`bench: ${opts.rows.length} rows × ${opts.replicas} replicas, ${opts.rounds} rounds × ${opts.duration} s; about ${Math.ceil(estimate / 60)} min`)

  const servers = new Map<string, Server[]>()
  for (const row of opts.rows) servers.set(row.name, Array.from({ length: opts.replicas }, () => new Server(row.name, opts.plugin)))
  const all = [...servers.values()].flat()
  const samples = new Map<string, Sample[]>(opts.rows.map(r => [r.name, []]))
  const unavailable = new Map<string, string>()
  try {
    await Promise.all(all.map(s => s.start()))
    for (const [row, list] of servers) {
      const why = list[0].unavailable
      if (why !== undefined) {
        unavailable.set(row, `option not available: ${why}`)
        servers.delete(row)
      }
    }
    const rows = [...servers.keys()]
    if (opts.warmup > 0) {
      for (const list of servers.values()) for (const server of list) await load(server.url, opts.warmup, opts.connections)
    }
    for (let round = 1; round <= opts.rounds; round++) {
      const replica = (round - 1) % opts.replicas
      for (const row of order(rows, round)) {
        const sample = await measure((servers.get(row) as Server[])[replica], round, replica, opts.duration, opts.connections)
        samples.get(row)?.push(sample)
        console.error(`round ${String(round).padStart(2)}/${opts.rounds} ${row.padEnd(20)} ${sample.cpuUsPerReq.toFixed(1).padStart(7)} µs/req ${Math.round(sample.reqPerSec).toString().padStart(7)} req/s`)
      }
    }
  } finally {
    await Promise.all(all.map(s => s.stop()))
  }

  const loadAfter = loadavg()
  const summaries = summarise(opts.rows, samples, unavailable)
  const conditions = [
    `- Machine: ${machine()}. Build: ${build(opts.plugin)}.`,
    `- Run: ${startedAt.toISOString()}, ${opts.rounds} rounds × ${opts.duration} s per row, ${opts.replicas} server processes per row used in turn ` +
      `(each warmed up for ${opts.warmup} s); ${setup}; order reversed every other round and shuffled between pairs of rounds.`,
    `- Load average (1/5/15 min) before: ${loadBefore.map(l => l.toFixed(2)).join(' / ')}; after: ${loadAfter.map(l => l.toFixed(2)).join(' / ')}.`
  ].join('\n')
  const control = summaries.find(s => s.row === 'floor-again')
  const resolution = control === undefined || control.rounds === 0
    ? ''
    : `A/A control: the floor's second set of processes reads ${control.ratio.median.toFixed(3)}× the floor ` +
      `(IQR ${control.ratio.q1.toFixed(3)}–${control.ratio.q3.toFixed(3)}); differences between rows smaller than that are not resolved by this run.`
  const results = `${table(opts.rows, summaries)}\n\n${resolution}`.trim()
  writeFileSync(`${opts.out}.md`, [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); bench/README.md explains the method and the columns.',
    '',
    conditions,
    '',
    results,
    ''
  ].join('\n'))
  writeFileSync(`${opts.out}.json`, JSON.stringify({
    conditions: { startedAt, machine: machine(), build: build(opts.plugin), ...opts, rows: opts.rows.map(r => r.name), loadBefore, loadAfter },
    summaries,
    samples: Object.fromEntries(samples)
  }, null, 2) + '\n')
  console.log(`${conditions}\n\n${results}\n\nwritten: ${opts.out}.md, ${opts.out}.json`)
}

main().catch(err => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
