import t from 'tap'
import { get } from './helpers/net'
import { startTs } from './helpers/process'

// The example imports 'fastify-health' (dist/, built by `npm test` before the unit tests). Its process stays out of
// the coverage report (see childEnv in helpers/process.ts).
t.test('examples/prometheus.ts exposes a gauge per check and a histogram of durations on /metrics', async t => {
  const proc = startTs(t, 'examples/prometheus.ts', { PORT: '0', LOG_LEVEL: 'warn' })
  const [, base] = await proc.waitFor(/^Metrics endpoint: (http:\/\/127\.0\.0\.1:\d+)\/metrics$/m)

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
