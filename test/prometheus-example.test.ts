import t from 'tap'
import { get } from './helpers/net'
import { pollUntil, startTs } from './helpers/process'

// The example imports 'fastify-health' (dist/, built by `npm test` before the unit tests). Its process stays out of
// the coverage report (see childEnv in helpers/process.ts). The test asks /metrics only, never a probe route (but at
// the very end): the gauge is filled and changes because the checks run in the background.
t.test('examples/prometheus.ts keeps its gauge fresh from background checks, with no probe', async t => {
  const proc = startTs(t, 'examples/prometheus.ts', { PORT: '0', LOG_LEVEL: 'warn', CHECK_INTERVAL: '50', INDEX_BUILD_MS: '2000' })
  const [, base] = await proc.waitFor(/^Metrics endpoint: (http:\/\/127\.0\.0\.1:\d+)\/metrics$/m)
  const series = (body: string): string[] => body.split('\n').filter(line => line.startsWith('health_check_status{')).sort()
  const scrape = async (): Promise<string[]> => {
    const res = await get(`${base}/metrics`)
    t.equal(res.status, 200)
    t.match(res.body, '# TYPE health_check_status gauge')
    return series(res.body)
  }

  const building = await pollUntil('a series for each of the 4 checks', async () => {
    const lines = await scrape()
    return lines.length === 4 ? lines : undefined
  })
  t.same(building, [
    'health_check_status{check="database",kind="health",critical="true"} 1',
    'health_check_status{check="event-loop",kind="health",critical="true"} 1',
    'health_check_status{check="migrations",kind="ready",critical="true"} 1',
    'health_check_status{check="search-index",kind="ready",critical="false"} 0'
  ], 'every check has run, with no probe; the failing one is labelled not critical')

  // The search index gets built; the check's background runs see it and the gauge follows.
  const built = await pollUntil('the search-index gauge to turn 1', async () => {
    const lines = await scrape()
    return lines.includes('health_check_status{check="search-index",kind="ready",critical="false"} 1') ? lines : undefined
  })
  t.equal(built.length, 4)
  t.ok(built.every(line => line.endsWith(' 1')), 'all four pass now')
  t.equal((await get(`${base}/health/ready`)).status, 200, 'and the readiness probe agrees')
})
