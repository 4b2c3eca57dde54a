// The status page in a real headless Chromium (Debian's `chromium`, driven over the DevTools protocol with
// puppeteer-core): a row per check with its status, styled (the style block's hash matches the policy), a hostile check
// name shown as text that runs nothing, no request but the page itself, a reload after `refresh` seconds, and a
// screenshot with passing, warning and failing checks. With SCREENSHOT=<path> the screenshot is also written there
// (the README's is docs/status-page.png). Real curl, with its own Accept, gets the JSON answer from the same app.
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import puppeteer, { type Browser } from 'puppeteer-core'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import type { HealthPluginOptions } from '../../lib/types'
import { requirePrograms } from './helpers/programs'

const HOSTILE = '<img src=x onerror=alert(1)>'

async function launch (t: Test, executablePath: string): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'fastify-health-chromium-'))
  t.teardown(() => rm(profile, { recursive: true, force: true }))
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`]
  })
  t.teardown(() => browser.close())
  return browser
}

async function serve (t: Test, options: HealthPluginOptions): Promise<{ app: FastifyInstance }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { service: { serviceId: 'orders' }, ...options })
  return { app }
}

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address() as { port: number }
  return `http://127.0.0.1:${address.port}`
}

// Starting Chromium takes seconds, more on a loaded machine.
t.setTimeout(180_000)
const bins = requirePrograms(t, ['chromium', 'curl'])
if (bins !== undefined) {
  t.test('the page in Chromium: rows, styles, escaping, nothing else loaded or run', async t => {
    t.setTimeout(90_000)
    const { app } = await serve(t, { statusPage: { refresh: 3600 } })
    // Launched after the app, so that it closes first (teardowns run last in, first out): its connections end.
    const browser = await launch(t, bins.chromium)
    let queueOk = true
    app.addReadyCheck('postgres', () => ({ status: 'pass', observedValue: 3.2, observedUnit: 'ms' }))
    app.addReadyCheck('redis', () => ({ status: 'warn', output: 'memory at 91% of maxmemory', observedValue: 91, observedUnit: '%' }))
    app.addReadyCheck('payments-api', () => queueOk ? true : { status: 'fail', output: 'HTTP 502 from payments.internal' })
    app.addReadyCheck('mailer', () => { throw new Error('connect ECONNREFUSED 10.0.0.7:587') }, { critical: false })
    app.addReadyCheck(HOSTILE, () => true)
    const base = await listen(app)
    // A few real changes, so that the strips and the uptime have something to show.
    for (const ok of [true, false, true, false]) {
      queueOk = ok
      await app.inject('/health/ready')
      await new Promise(resolve => setTimeout(resolve, 150))
    }

    const page = await browser.newPage()
    const requests: string[] = []
    const dialogs: string[] = []
    const consoleErrors: string[] = []
    page.on('request', request => { requests.push(request.url()) })
    page.on('dialog', dialog => { dialogs.push(dialog.message()); dialog.dismiss().catch(() => {}) })
    // Chromium reports the page's own 503 as an error; anything else (a policy violation) would be news.
    page.on('console', message => { if (message.type() === 'error' && !/status of 503/.test(message.text())) consoleErrors.push(message.text()) })
    await page.setViewport({ width: 1180, height: 400 })
    const url = `${base}/health/ready`
    const response = await page.goto(url, { waitUntil: 'networkidle0' })
    t.equal(response?.status(), 503, 'the same status code as the JSON answer (a critical check fails)')
    t.equal(response?.headers()['content-type'], 'text/html; charset=utf-8', 'Chromium\'s own Accept gets the page')

    const rows = await page.$$eval('tr.check', trs => trs.map(tr => ({
      name: tr.querySelector('td.name')?.firstChild?.textContent,
      status: tr.querySelector('.badge')?.textContent,
      // Run in the page; the project's types have no DOM library.
      background: (globalThis as unknown as { getComputedStyle: (element: unknown) => { backgroundColor: string } }).getComputedStyle(tr.querySelector('.badge')).backgroundColor
    })))
    t.same(rows.map(row => [row.name, row.status]), [
      ['postgres', 'pass'], ['redis', 'warn'], ['payments-api', 'fail'], ['mailer', 'error'], [HOSTILE, 'pass']
    ], 'a row per check with its status; the hostile name is text')
    t.equal(rows[0].background, 'rgb(26, 127, 55)', 'the style block applies: its hash matches the policy')
    t.equal(rows[2].background, 'rgb(207, 34, 46)')
    t.equal(await page.$$eval('img, script, iframe, object', elements => elements.length), 0, 'no element made from a name')
    t.equal(await page.$$eval('tr.check svg rect', rects => rects.length > 5), true, 'the strips of recent changes')
    t.same(dialogs, [], 'no dialog: nothing ran')
    t.same(requests, [url], 'no request but the page itself (no icon, no image, no style, no script)')
    t.same(consoleErrors, [], 'no policy violation reported')

    const png = await page.screenshot({ type: 'png', fullPage: true })
    t.ok(png.length > 10_000 && png.length < 100_000, `a screenshot of ${png.length} bytes, under 100 KB`)
    const dir = await mkdtemp(join(tmpdir(), 'fastify-health-screenshot-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'status-page.png')
    await page.screenshot({ type: 'png', fullPage: true, path: file })
    t.same((await readFile(file)).subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a PNG file')
    if (process.env.SCREENSHOT !== undefined) await copyFile(file, resolve(process.env.SCREENSHOT))
  })

  t.test('the page reloads itself after `refresh` seconds, with the policy still holding', async t => {
    t.setTimeout(90_000)
    const { app } = await serve(t, { statusPage: { refresh: 1 } })
    const browser = await launch(t, bins.chromium)
    let runs = 0
    app.addHealthCheck('db', () => { runs++; return true })
    const base = await listen(app)
    const page = await browser.newPage()
    const requests: string[] = []
    page.on('request', request => { requests.push(request.url()) })
    await page.goto(`${base}/health`)
    const before = runs
    // Real time: the subject is the browser's own timer, 1 s; 5 s is the margin for a loaded machine.
    await page.waitForNavigation({ timeout: 5000 })
    t.ok(runs > before, 'the reload asked the checks again')
    t.ok(requests.every(url => url === `${base}/health`), 'every request is the page itself')
    t.ok(requests.length >= 2)
    t.equal(await page.$eval('tr.check .badge', badge => badge.textContent), 'pass')
  })

  t.test('curl, with its own Accept (*/*), gets the JSON answer from the same app', async t => {
    const { app } = await serve(t, { statusPage: true })
    app.addHealthCheck('db', () => true)
    const base = await listen(app)
    const out = await new Promise<string>((resolve, reject) => {
      execFile(bins.curl, ['-s', '-i', `${base}/health`], { timeout: 15_000 }, (err, stdout) => { if (err === null) resolve(stdout); else reject(err) })
    })
    t.match(out, /^HTTP\/1\.1 200/)
    t.match(out, /content-type: application\/json; charset=utf-8/i)
    t.match(out, /\{"status":"healthy"/)
    t.notMatch(out, /<html/i)
  })
}
