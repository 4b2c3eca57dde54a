import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { childEnv, get } from './helpers/shutdown-child'

// The example imports 'fastify-health' (dist/, built by `npm test` before the unit tests). Its process stays out of
// the coverage report (see childEnv): otherwise tap maps its dist/*.js coverage back to lib/*.ts through tsc's source
// maps, which do not line up with the tsx-mapped coverage of the in-process tests, and covered lib lines are reported
// as uncovered. Deleting NODE_V8_COVERAGE alone does not switch that off.
t.test('examples/prometheus.ts exposes a gauge per check and a histogram of durations on /metrics', async t => {
  const root = resolve(__dirname, '..')
  const env = childEnv({ PORT: '0', LOG_LEVEL: 'warn' })
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'examples', 'prometheus.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  })
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    exited.then(([code]) => { throw new Error(`example ended early with code ${String(code)}`) })
  ]) as [string]
  const match = /^Metrics endpoint: (http:\/\/127\.0\.0\.1:\d+)\/metrics$/.exec(line.trim())
  t.ok(match, `prints its URL: ${line}`)
  const base = (match as RegExpExecArray)[1]

  const before = await get(`${base}/metrics`)
  t.equal(before.status, 200)
  t.notMatch(before.body, /health_check_status\{/, 'no series before any check has run')

  for (let i = 0; i < 3; i++) {
    t.equal((await get(`${base}/health`)).status, 200)
    t.equal((await get(`${base}/health/ready`)).status, 200, 'the failing check is not critical')
  }
  const metrics = await get(`${base}/metrics`)
  t.equal(metrics.status, 200)
  const body = metrics.body
  t.match(body, '# TYPE health_check_status gauge')
  t.match(body, '# TYPE health_check_duration_seconds histogram')
  t.match(body, 'health_check_status{check="event-loop",kind="health"} 1')
  t.match(body, 'health_check_status{check="database",kind="health"} 1')
  t.match(body, 'health_check_status{check="migrations",kind="ready"} 1')
  t.match(body, 'health_check_status{check="search-index",kind="ready"} 0')
  // Three probes of each kind: three runs of each check observed, whatever the buckets.
  t.match(body, 'health_check_duration_seconds_count{check="database",kind="health",status="pass"} 3')
  t.match(body, 'health_check_duration_seconds_count{check="event-loop",kind="health",status="pass"} 3')
  t.match(body, 'health_check_duration_seconds_count{check="search-index",kind="ready",status="fail"} 3')
  const sum = /health_check_duration_seconds_sum\{check="database",kind="health",status="pass"\} ([\d.e-]+)/.exec(body)
  t.ok(sum !== null && Number(sum[1]) > 0.003, `database durations are recorded in seconds (${sum?.[1]})`)
  t.ok(sum !== null && Number(sum[1]) < 3, 'and are not milliseconds')
})
