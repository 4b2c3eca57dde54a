// nginx in front of the full example, configured by examples/nginx.conf (ports rewritten): probes pass through with
// the app's status code and body, 503 included, and stay out of nginx's access log while other requests do not.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { get } from '../helpers/net'
import { distBuilt, freePort, pollUntil, ROOT, startExample, startProcess, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'
import { startUpstream } from './helpers/upstream'

/** Replaces `from` by `to` in `text`, failing when `from` does not occur exactly once (the example changed). */
function replaceOnce (text: string, from: string, to: string): string {
  const parts = text.split(from)
  if (parts.length !== 2) throw new Error(`examples/nginx.conf: expected "${from}" exactly once, found it ${parts.length - 1} times`)
  return parts.join(to)
}

const bins = requirePrograms(t, ['nginx'])
if (bins !== undefined) {
  t.test('nginx passes probes through with their status and body, and keeps them out of the access log', async t => {
    t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
    const upstream = await startUpstream(t)
    const app = await startExample(t, 'examples/full.ts', { EXTERNAL_API_URL: upstream.url, SHUTDOWN_DELAY_MS: '0' })

    const dir = await mkdtemp(join(tmpdir(), 'fastify-health-nginx-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    // nginx started as root runs its workers as `nobody`; they must be able to reach the temp folders under the prefix.
    await chmod(dir, 0o755)
    const port = await freePort()
    let site = await readFile(join(ROOT, 'examples/nginx.conf'), 'utf8')
    site = replaceOnce(site, 'listen 80;', `listen 127.0.0.1:${port};`)
    site = replaceOnce(site, 'server 127.0.0.1:9090;', `server 127.0.0.1:${app.port};`)
    await writeFile(join(dir, 'site.conf'), site)
    const accessLog = join(dir, 'access.log')
    // The stock /etc/nginx/nginx.conf's http block, reduced to what the example needs: the example's file is
    // included the way conf.d/*.conf is, and the http-level access_log is the one the example turns off for probes.
    await writeFile(join(dir, 'nginx.conf'), [
      'worker_processes 1;',
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${accessLog};`,
      `  include ${join(dir, 'site.conf')};`,
      '}',
      ''
    ].join('\n'))
    const nginx = startProcess(t, 'nginx', bins.nginx, [
      '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'),
      '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`
    ])
    t.teardown(async () => { await stop(nginx, 'SIGQUIT', 3000) })
    const base = `http://127.0.0.1:${port}`
    await pollUntil('nginx to answer', async () => (await get(`${base}/`, { timeoutMs: 1000 })).status === 200 ? true : undefined, 10_000)
      .catch(async err => { throw new Error(`${err.message}\nnginx output: ${nginx.output()}\nerror.log: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`) })

    // Healthy: the app's 200 and JSON body, as the app sends them.
    const healthy = await get(`${base}/health`)
    t.equal(healthy.status, 200, 'healthy app: 200 through nginx')
    t.equal(healthy.json.status, 'healthy')
    t.same(Object.keys(healthy.json.checks).sort(), ['cache', 'database', 'disk_space', 'external_api'])
    t.match(healthy.headers['content-type'], /^application\/json/)
    t.equal(healthy.headers['cache-control'], 'no-store', 'the app\'s cache-control reaches the client')
    const ready = await get(`${base}/health/ready`)
    t.equal(ready.status, 200)
    t.equal(ready.json.status, 'ready')
    t.equal(ready.json.checks.migrations.status, 'pass')

    // The external API answers 500: the app's 503 and body come through unchanged, not an nginx error page.
    upstream.setMode('error')
    const direct = await get(`${app.baseUrl}/health`)
    const failing = await get(`${base}/health`)
    t.equal(direct.status, 503, 'the app itself answers 503')
    t.equal(failing.status, 503, 'nginx passes the 503 through')
    t.equal(failing.json.status, 'unhealthy')
    t.equal(failing.json.checks.external_api.status, 'fail', 'an unexpected status is a failed check, with the reason')
    t.equal(failing.json.checks.external_api.error, 'status 500, expected 2xx')
    t.equal(failing.json.checks.database.status, 'pass')
    t.same(Object.keys(failing.json), Object.keys(direct.json), 'same body shape as the app\'s own answer')

    // The external API hangs: the check is cut off by the plugin's 800 ms timeout and the 503 arrives through nginx
    // well inside nginx's default 60 s proxy_read_timeout.
    upstream.setMode('hang')
    const hung = await get(`${base}/health`)
    t.equal(hung.status, 503)
    t.equal(hung.json.checks.external_api.status, 'error')
    t.match(hung.json.checks.external_api.error, /timed out after 800 ms/)
    t.ok(hung.ms >= 700 && hung.ms < 2000, `answered in ${Math.round(hung.ms)} ms (check timeout 800 ms)`)

    upstream.setMode('ok')
    t.equal((await get(`${base}/health`)).status, 200, 'back to 200 once the external API recovers')

    // Other requests are logged; the probes (5 above) are not.
    t.equal((await get(`${base}/`)).status, 200)
    t.equal((await get(`${base}/no-such-page`)).status, 404)
    await stop(nginx, 'SIGQUIT', 3000) // a graceful stop flushes and closes the log
    const log = await readFile(accessLog, 'utf8')
    const lines = log.split('\n').filter(Boolean)
    t.ok(lines.some(line => line.includes('"GET /no-such-page HTTP/1.1" 404')), 'the 404 is in the access log')
    t.ok(lines.some(line => line.includes('"GET / HTTP/1.1" 200')), 'GET / is in the access log')
    t.notOk(lines.some(line => line.includes('/health')), 'no /health or /health/ready line in the access log')
    t.comment(`access log: ${lines.length} lines, none for the 5 probes sent through nginx`)
  })
}
