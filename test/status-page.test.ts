import { createHash } from 'node:crypto'
import t from 'tap'
import { ago, escapeHtml, STATUS_PAGE_CSP, statusPage, type StatusPageInput, timeline } from '../lib/formats/status-page'
import { History } from '../lib/registry/history'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'
import { ENTRIES, outcome } from './helpers/outcome'

const NOW = 1_790_000_100_000
const HOSTILE = '<img src=x onerror=alert(1)>'

function input (overrides: Partial<StatusPageInput> = {}): StatusPageInput {
  return { outcome: outcome(503), group: 'ready', details: true, refresh: 10, now: NOW, history: () => undefined, title: 'orders', ...overrides }
}

/** The rows of a page: name, status word, and the text of each cell, tags stripped. */
function rowsOf (html: string): Array<{ name: string, status: string, cells: string[] }> {
  return [...html.matchAll(/<tr class="check" data-name="([^"]*)" data-status="([^"]*)">(.*?)<\/tr>/g)].map(m => ({
    name: m[1],
    status: m[2],
    cells: [...m[3].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map(c => c[1].replace(/<svg.*<\/svg>/, '[svg]').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())
  }))
}

t.test('escapeHtml and ago', async t => {
  t.equal(escapeHtml('<a href="x" title=\'y\'>&amp;</a>'), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
  t.equal(ago(-5), '0 s')
  t.equal(ago(45_000), '45 s')
  t.equal(ago(5 * 60_000), '5 min')
  t.equal(ago(3 * 3_600_000), '3 h')
  t.equal(ago(3 * 86_400_000), '3 d')
})

t.test('a row per entry: status word and class, since, duration, error or output, observed value, uptime', async t => {
  const history = new History(() => NOW)
  history.record('pass', null, (NOW - 2 * 3_600_000) / 1000)
  history.record('fail', 'pass', (NOW - 30 * 60_000) / 1000, 'queue depth 9000')
  const html = statusPage(input({ history: name => name === 'queue' ? history.answer(name) : undefined }))
  const rows = rowsOf(html)
  t.same(rows.map(r => [r.name, r.status]), Object.entries(ENTRIES).map(([name, e]) => [name, e.status]), 'every entry, in report order, with its status')
  const byName = Object.fromEntries(rows.map(r => [r.name, r.cells]))
  t.equal(byName.db[1], 'pass')
  t.equal(byName.db[3], '1.23 ms')
  t.equal(byName.db[6], '—', 'no history: no uptime')
  t.same(byName.cache.slice(4, 6), ['hit rate 40%', '40 %'], 'output and observed value with its unit')
  t.match(byName.queue[2], /^2026-09-21 \d\d:\d\d:\d\d UTC 3 min ago$/, 'since: the entry\'s own (160 s before)')
  t.equal(byName.queue[4], 'queue depth 9000')
  t.equal(byName.queue[6], '50 %', 'uptime 1 h')
  t.equal(byName.queue[7], '75 %', 'uptime 24 h: 90 of 120 min')
  t.equal(byName.queue[8], '[svg]')
  t.match(byName.mailer[0], /mailer non-critical/)
  t.match(byName.availability[0], /availability set by the app/)
  t.match(byName.search[4], 'skipped: depends on db (error)')
  t.match(html, /data-name="search" data-status="skipped"><td class="name">search<\/td><td><span class="badge s-skipped">skipped<\/span>/, 'skipped has its own colour')
  t.match(html, '<p class="meta">2 of 7 passing</p>')
  t.match(html, '<meta http-equiv="refresh" content="10">')
  t.match(html, '<title>orders ready: not_ready</title>')
  t.match(html, 'HTTP 503')
})

t.test('since from the history when the entry has none; the run that thresholds hold back', async t => {
  const history = new History(() => NOW)
  history.record('pass', null, (NOW - 90_000) / 1000)
  const page = statusPage(input({
    outcome: { code: 200, report: { status: 'ready', timestamp: NOW / 1000, checks: { db: { status: 'pass', observed: 'fail', observedValue: 3, timestamp: NOW / 1000, duration: 2 } } }, states: [{ name: 'db', critical: true }] },
    history: () => history.answer('db')
  }))
  const [row] = rowsOf(page)
  t.match(row.cells[2], /UTC 90 s ago$/)
  t.match(row.cells[0], 'last run: fail')
  t.equal(row.cells[5], '3', 'a value without a unit')
  t.same([row.cells[6], row.cells[7]], ['100 %', '100 %'])
})

t.test('without details: the status word only', async t => {
  const html = statusPage(input({ details: false }))
  t.same(rowsOf(html), [])
  t.notMatch(html, /queue|db|maintenance|<table/)
  t.match(html, '<span class="badge s-fail">not_ready</span>')
})

t.test('every name and text is escaped', async t => {
  const checks = { [HOSTILE]: { status: 'fail' as const, error: '<script>alert(2)</script>', output: 'x', observedValue: '"><b>', observedUnit: '<i>', timestamp: NOW / 1000, duration: 1 } }
  const history = new History(() => NOW)
  history.record('fail', null, NOW / 1000 - 10, '</title><script>alert(3)</script>')
  const html = statusPage(input({
    outcome: { code: 503, report: { status: 'not_ready', timestamp: NOW / 1000, checks }, states: [{ name: HOSTILE, critical: true }] },
    history: () => history.answer(HOSTILE),
    title: '<b>svc</b>'
  }))
  t.notMatch(html, /<img|<script|<b>|<i>|"><b>/, 'no markup from any value')
  t.match(html, 'data-name="&lt;img src=x onerror=alert(1)&gt;"')
  t.match(html, '<td class="name">&lt;img src=x onerror=alert(1)&gt;</td>')
  t.match(html, '&lt;script&gt;alert(2)&lt;/script&gt;')
  t.match(html, '&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;', 'history errors in the tooltips too')
  t.match(html, '<title>&lt;b&gt;svc&lt;/b&gt; ready: not_ready</title>')
})

t.test('timeline: a segment per status over the time covered, at most a day', async t => {
  t.match(timeline([], NOW), /<rect x="0" y="0" width="160" height="16" class="s-none"><title>no data yet<\/title><\/rect>/)
  const first = timeline([{ status: 'pass', previous: null, timestamp: NOW / 1000 }], NOW)
  t.match(first, /<rect x="0.00" y="0" width="160.00" height="16" class="s-pass">/, 'a first change just now fills the strip')
  const changes = [
    { status: 'pass' as const, previous: null, timestamp: (NOW - 48 * 3_600_000) / 1000 },
    { status: 'fail' as const, previous: 'pass' as const, timestamp: (NOW - 6 * 3_600_000) / 1000, error: 'down' },
    { status: 'warn' as const, previous: 'fail' as const, timestamp: (NOW - 6 * 3_600_000) / 1000 },
    { status: 'pass' as const, previous: 'warn' as const, timestamp: (NOW - 3 * 3_600_000) / 1000 }
  ]
  const rects = [...timeline(changes, NOW).matchAll(/<rect x="([0-9.]+)" y="0" width="([0-9.]+)" height="16" class="(s-\w+)"><title>([^<]*)<\/title>/g)].map(m => [Number(m[1]), Number(m[2]), m[3], m[4]])
  t.same(rects.map(r => r.slice(0, 3)), [[0, 120, 's-pass'], [120, 20, 's-warn'], [140, 20, 's-pass']], 'the last day only; an instant status leaves no segment')
  t.match(rects[0][3], /^pass from \d{4}-\d\d-\d\d/)
})

t.test('the style block matches the hash in the Content-Security-Policy, and nothing else may load or run', async t => {
  const html = statusPage(input())
  const style = /<style>(.*)<\/style>/.exec(html)?.[1] as string
  const hash = createHash('sha256').update(style).digest('base64')
  t.equal(STATUS_PAGE_CSP, `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`)
  t.notMatch(html, /<script|\sstyle=|\son\w+=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script, no style attribute, no handler, no URL but the SVG namespace')
  t.match(html, '<link rel="icon" href="data:,">', 'an empty icon: no request for /favicon.ico')
})

t.test('on the routes: headers, refresh, same status code, the app\'s own entries', async t => {
  const { app } = await buildApp(t, { statusPage: { refresh: 30 }, service: { serviceId: 'orders' } })
  app.addReadyCheck('db', () => true)
  app.addReadyCheck(HOSTILE, () => false, { critical: false })
  const clock = fakeClock(t)
  await app.inject('/health/ready')
  await clock.tickAsync(60_000)
  app.health.setReady(false, 'maintenance <now>')
  const res = await app.inject({ url: '/health/ready', headers: { accept: 'text/html' } })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(res.headers['content-security-policy'], STATUS_PAGE_CSP)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.body, '<meta http-equiv="refresh" content="30">')
  t.match(res.body, '<title>orders ready: not_ready</title>')
  const rows = rowsOf(res.body)
  t.same(rows.map(r => [r.name, r.status]), [['db', 'pass'], [escapeHtml(HOSTILE), 'fail'], ['availability', 'fail']])
  t.equal(rows[0].cells[6], '100 %', 'uptime from the history')
  t.match(rows[2].cells[4], 'maintenance &lt;now&gt;')

  const shutdown = app.health.shutdown({ delay: 60_000 })
  const shutting = rowsOf((await app.inject({ url: '/health/ready?format=html' })).body)
  t.same(shutting.map(r => [r.name, r.status]), [['shutdown', 'fail']], 'shutting down')
  await Promise.all([app.close(), shutdown])
})

t.test('on the routes without details: the status word only', async t => {
  const { app } = await buildApp(t, { statusPage: true, exposeDetails: false })
  app.addHealthCheck('secret-db', () => true)
  const res = await app.inject({ url: '/health', headers: { accept: 'text/html' } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /secret-db/)
  t.match(res.body, '<span class="badge s-pass">healthy</span>')
  t.match(res.body, '<meta http-equiv="refresh" content="10">', 'refresh defaults to 10 s')
})
