// The load generator, one per measured run, started by bench/run.ts (pinned to its own core where taskset exists)
// with an IPC channel. Plain JavaScript so that it starts fast and carries no TypeScript loader.
//
//   parent -> load  { type: 'run', warmup, measure }   two sets of autocannon options (warmup may be null)
//   load -> parent  { type: 'warm' }             after the warm-up (JIT, heap size); the parent then reads the
//                                                server's CPU usage and answers
//   parent -> load  { type: 'go' }
//   load -> parent  { type: 'result', result }  the measured run, reduced to the figures the report needs
//
//   parent -> load  { type: 'burst', port, path, n }   n simultaneous requests on n already-open connections
//   load -> parent  { type: 'result', result }
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'

function cannon (opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => err ? reject(err) : resolve(result))
  })
}

/** Opens one TCP connection to the server and resolves once it is established. */
function connect (port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Reads one `Connection: close` response to its end; resolves with the status code and the time since `start`. */
function answer (socket, start) {
  return new Promise((resolve, reject) => {
    const chunks = []
    socket.on('data', chunk => chunks.push(chunk))
    socket.once('error', reject)
    socket.once('end', () => {
      const head = Buffer.concat(chunks).toString('latin1', 0, 16)
      resolve({ status: Number(head.slice(9, 12)), ms: performance.now() - start })
    })
  })
}

/**
 * Opens n connections first, then writes one request on every one of them in a single synchronous loop, so that the
 * n requests are in flight together rather than trickling in as connections get established or as an HTTP client
 * builds them one by one.
 */
async function burst ({ port, path, n }) {
  const sockets = []
  try {
    for (let i = 0; i < n; i += 100) {
      sockets.push(...await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => connect(port))))
    }
    const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1')
    const start = performance.now()
    const pending = sockets.map(socket => answer(socket, start))
    for (const socket of sockets) socket.write(request)
    const writtenMs = performance.now() - start
    const answers = await Promise.all(pending)
    const wall = performance.now() - start
    const ms = answers.map(a => a.ms).sort((a, b) => a - b)
    return {
      n,
      writtenMs,
      ok: answers.filter(a => a.status === 200).length,
      wallMs: wall,
      minMs: ms[0],
      p50: ms[Math.floor(n / 2)],
      maxMs: ms[n - 1]
    }
  } finally {
    for (const socket of sockets) socket.destroy()
  }
}

let job

process.on('message', async msg => {
  try {
    if (msg.type === 'run') {
      job = msg
      if (msg.warmup !== null) await cannon(msg.warmup)
      process.send({ type: 'warm' })
    } else if (msg.type === 'burst') {
      process.send({ type: 'result', result: await burst(msg) })
    } else if (msg.type === 'go') {
      const r = await cannon(job.measure)
      process.send({
        type: 'result',
        result: {
          requests: r.requests.total,
          duration: r.duration,
          reqPerSec: r.requests.total / r.duration,
          p50: r.latency.p50,
          p99: r.latency.p99,
          non2xx: r.non2xx,
          statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, stat]) => [code, stat.count])),
          errors: r.errors,
          timeouts: r.timeouts
        }
      })
    }
  } catch (err) {
    process.send({ type: 'error', message: String(err?.stack ?? err) })
  }
})

process.on('disconnect', () => process.exit(0))
