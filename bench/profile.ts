// `npm run bench:profile -- <row> [--duration S] [--plugin PATH]`: a V8 CPU profile of one row's server under load,
// summarised by bench/cpuprofile-top.mjs (hottest functions and files by self time).
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_DIR, Server, load } from './processes'
import { ROWS } from './rows'

async function main (): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      plugin: { type: 'string' },
      top: { type: 'string', default: '25' }
    }
  })
  const row = positionals[0]
  if (row === undefined || !ROWS.some(r => r.name === row)) {
    throw new Error(`usage: npm run bench:profile -- <row> [--duration S] [--connections N] [--plugin PATH] [--top N]\nrows: ${ROWS.map(r => r.name).join(', ')}`)
  }
  const duration = Number(values.duration)
  const connections = Number(values.connections)
  const server = await new Server(row, values.plugin === undefined ? undefined : resolve(values.plugin)).start()
  try {
    if (server.unavailable !== undefined) throw new Error(`bench: row ${row} is not available on this build: ${server.unavailable}`)
    await load(server.url, 2, connections)
    const file = join(tmpdir(), `fastify-health-${row}-${Date.now()}.cpuprofile`)
    const before = await server.usage()
    await server.profile()
    const result = await load(server.url, duration, connections)
    await server.profile(file)
    const after = await server.usage()
    const cpu = (after.cpu.user - before.cpu.user) + (after.cpu.system - before.cpu.system)
    console.log(`${row}: ${result.requests} requests in ${result.seconds.toFixed(1)} s, ${(cpu / result.requests).toFixed(1)} µs/req of server CPU (profiler overhead included)\n`)
    console.log(execFileSync(process.execPath, [join(BENCH_DIR, 'cpuprofile-top.mjs'), file, values.top], { encoding: 'utf8' }))
  } finally {
    await server.stop()
  }
}

main().catch(err => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
