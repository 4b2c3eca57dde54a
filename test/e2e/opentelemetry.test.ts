// examples/opentelemetry.ts scraped by a real Prometheus (Debian's `prometheus`, started by the test on a loopback port
// with a temporary storage folder): the exposition passes `promtool check metrics`, and the non-critical
// search-index check's series turns from 0 to 1 in Prometheus as its background runs see the index built, with no
// probe asked at any point.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { get } from '../helpers/net'
import { distBuilt, freePort, pollUntil, startProcess, startTs, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'

// Prometheus scrapes every 250 ms; the pretend index takes 8 s to build after the example starts, so Prometheus records
// the 0 for many scrapes before the 1 (the margin, on a loaded machine, where its first scrape may come late).
const SCRAPE_INTERVAL = '250ms'
const INDEX_BUILD_MS = '8000'

const bins = requirePrograms(t, ['prometheus', 'promtool'])
if (bins !== undefined) {
  t.test('a real Prometheus scrapes the OpenTelemetry example; the gauges move with no probe', async t => {
    t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
    // Prometheus first, scraping a port the example will take, so that it sees the example from its first moments.
    const appPort = await freePort()
    const port = await freePort()
    const dir = await mkdtemp(join(tmpdir(), 'fastify-health-prometheus-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, 'prometheus.yml'), [
      'global:',
      `  scrape_interval: ${SCRAPE_INTERVAL}`,
      'scrape_configs:',
      '  - job_name: fastify-health',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${appPort}']`,
      ''
    ].join('\n'))
    const prometheus = startProcess(t, 'prometheus', bins.prometheus, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`
    ])
    t.teardown(async () => { await stop(prometheus, 'SIGTERM', 5000) })
    await prometheus.waitFor(/Server is ready to receive web requests/, 30_000)

    const app = startTs(t, 'examples/opentelemetry.ts', { PORT: String(appPort), LOG_LEVEL: 'warn', CHECK_INTERVAL: '100', INDEX_BUILD_MS })
    const [, base] = await app.waitFor(/^Metrics endpoint: (http:\/\/127\.0\.0\.1:\d+)\/metrics$/m)

    // What Prometheus scrapes, checked by its own linter.
    const exposition = (await get(`${base}/metrics`)).body
    const lint = await new Promise<{ code: number | null, output: string }>(resolve => {
      const child = execFile(bins.promtool, ['check', 'metrics'], (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (err as unknown as { code: number }).code, output: stdout + stderr })
      })
      child.stdin?.end(exposition)
    })
    t.equal(lint.code, 0, 'promtool check metrics exits 0')
    t.equal(lint.output, '', 'with no lint warnings')

    const query = async (promql: string): Promise<Array<{ metric: Record<string, string>, value: [number, string] }>> => {
      const res = await get(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`)
      if (res.status !== 200) throw new Error(`Prometheus answered ${res.status}: ${res.body}`)
      return res.json.data.result
    }
    const searchIndex = 'health_check_status{health_check_name="search-index"}'
    const first = await pollUntil('the search-index series in Prometheus', async () => {
      const result = await query(searchIndex)
      return result.length === 1 ? result[0] : undefined
    }, 20_000, 100)
    t.match(first.metric, { job: 'fastify-health', health_check_groups: 'ready', health_check_critical: 'false' })
    const built = await pollUntil('the search-index series to turn 1', async () => {
      const [result] = await query(searchIndex)
      return result?.value[1] === '1' ? result : undefined
    }, 30_000, 100)
    t.equal(built.value[1], '1', 'built: 1, from background runs alone')
    const [lowest] = await query(`min_over_time(${searchIndex}[1m])`)
    t.equal(lowest?.value[1], '0', 'before that, Prometheus recorded 0 while the index was building')
    const groups = await query('health_group_status')
    t.same(Object.fromEntries(groups.map(r => [r.metric.health_group_name, r.value[1]])), { health: '1', ready: '1', startup: '1' })
    const runs = await query('sum by (health_check_outcome) (health_check_runs_total{health_check_name="search-index"})')
    t.same(runs.map(r => r.metric.health_check_outcome).sort(), ['fail', 'pass'], 'runs counted by outcome')
  })
}
