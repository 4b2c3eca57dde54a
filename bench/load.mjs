// The load generator, one per measured run, started by bench/run.ts (pinned to its own core where taskset exists)
// with an IPC channel. Plain JavaScript so that it starts fast and carries no TypeScript loader.
//
//   parent -> load  { type: 'run', warmup, measure }   two sets of autocannon options (warmup may be null)
//   load -> parent  { type: 'warm' }             after the warm-up (JIT, heap size); the parent then reads the
//                                                server's CPU usage and answers
//   parent -> load  { type: 'go' }
//   load -> parent  { type: 'result', result }  the measured run, reduced to the figures the report needs
//
//   parent -> load  { type: 'burst', url, warmUrl, n }   n simultaneous requests on n already-open sockets
//   load -> parent  { type: 'result', result }
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'

function cannon (opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => err ? reject(err) : resolve(result))
  })
}

function get (agent, url) {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    http.get(url, { agent }, res => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - start }))
    }).on('error', reject)
  })
}

/**
 * Opens n keep-alive sockets (one request each to warmUrl), then sends one request to url on every socket at once,
 * so that all n are in flight together rather than trickling in as connections get established.
 */
async function burst ({ url, warmUrl, n }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n })
  try {
    await Promise.all(Array.from({ length: n }, () => get(agent, warmUrl)))
    const open = Object.values(agent.freeSockets).reduce((sum, list) => sum + list.length, 0)
    const start = performance.now()
    const answers = await Promise.all(Array.from({ length: n }, () => get(agent, url)))
    const wall = performance.now() - start
    const ms = answers.map(a => a.ms).sort((a, b) => a - b)
    return {
      n,
      socketsOpenBefore: open,
      ok: answers.filter(a => a.status === 200).length,
      wallMs: wall,
      minMs: ms[0],
      p50: ms[Math.floor(n / 2)],
      maxMs: ms[n - 1]
    }
  } finally {
    agent.destroy()
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
