import { createHash } from 'node:crypto'
import { DAY, type StatusChange, type Uptime } from '../registry/history'
import { type EntryStatus, type EntryView, type OutcomeView, passing, type Row, rows } from './view'

/** What the page shows of a check's history. */
export interface PageHistory {
  readonly uptime: Uptime
  readonly changes: readonly StatusChange[]
}

export interface StatusPageInput {
  readonly outcome: OutcomeView
  /** The group (route) the page is for: `health`, `ready`, `startup` or a custom one. */
  readonly group: string
  readonly details: boolean
  /** Seconds between reloads. */
  readonly refresh: number
  /** The time of the page, in milliseconds since the epoch. */
  readonly now: number
  /** The history of an entry, if it has one. */
  readonly history: (name: string) => PageHistory | undefined
  /** What the page is about, such as the service's id. */
  readonly title: string
}

const STYLE = [
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}',
  'h1{font-size:20px;margin:0 0 4px}',
  'p.meta{margin:0 0 16px;color:#59636e}',
  'table{border-collapse:collapse;width:100%}',
  'th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d1d9e0;vertical-align:top}',
  'th{font-size:12px;color:#59636e;font-weight:600;white-space:nowrap}',
  'td.name{font-weight:600;word-break:break-all}',
  'td.num{font-variant-numeric:tabular-nums;white-space:nowrap}',
  'td.text{max-width:28em;word-break:break-word}',
  'small{color:#59636e;font-weight:400}',
  '.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}',
  '.s-pass{background:#1a7f37;fill:#1a7f37}',
  '.s-warn{background:#9a6700;fill:#d4a72c}',
  '.s-fail{background:#cf222e;fill:#cf222e}',
  '.s-error{background:#82071e;fill:#82071e}',
  '.s-skipped,.s-none{background:#6e7781;fill:#afb8c1}',
  'svg{display:block}'
].join('')

/**
 * The page's Content-Security-Policy: nothing may load or run (`default-src 'none'` covers scripts, frames, fonts,
 * fetches), only the page's own style block (by its hash, so no injected style either) and `data:` images (the
 * empty icon, which keeps the browser from asking for /favicon.ico).
 */
export const STATUS_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'`

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }

/** Escapes text for an HTML text node or a quoted attribute. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, char => ESCAPES[char])
}

const statusClass = (status: EntryStatus): string => `s-${status}`

const badge = (status: EntryStatus | string, cls: string): string => `<span class="badge ${cls}">${escapeHtml(status)}</span>`

function time (ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

/** "12 s", "5 min", "3 h", "2 d": how long ago, at a glance. */
export function ago (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172_800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86_400)} d`
}

function percent (value: number | null): string {
  return value === null ? '—' : `${(Math.round(value * 10_000) / 100).toString()} %`
}

const WIDTH = 160
const HEIGHT = 16

/**
 * A strip of the check's statuses over the time its history covers (at most the last day), one coloured segment per
 * status, oldest on the left, each with a tooltip.
 */
export function timeline (changes: readonly StatusChange[], now: number): string {
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="recent status changes">`
  if (changes.length === 0) return `${open}<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" class="s-none"><title>no data yet</title></rect></svg>`
  const from = Math.max(now - DAY, changes[0].timestamp * 1000)
  const span = now - from
  let svg = open
  for (let i = 0; i < changes.length; i++) {
    const start = Math.max(from, changes[i].timestamp * 1000)
    const end = Math.min(now, i + 1 < changes.length ? changes[i + 1].timestamp * 1000 : now)
    // A span of zero is the first change happening now: the strip is all of its status.
    if (end <= start && span > 0) continue
    const x = span > 0 ? ((start - from) / span) * WIDTH : 0
    const width = span > 0 ? ((end - start) / span) * WIDTH : WIDTH
    const tip = `${changes[i].status} from ${time(start)}${changes[i].error === undefined ? '' : `: ${changes[i].error as string}`}`
    svg += `<rect x="${x.toFixed(2)}" y="0" width="${width.toFixed(2)}" height="${HEIGHT}" class="${statusClass(changes[i].status)}"><title>${escapeHtml(tip)}</title></rect>`
  }
  return svg + '</svg>'
}

function observed (entry: EntryView): string {
  if (entry.observedValue === undefined) return ''
  return escapeHtml(String(entry.observedValue) + (entry.observedUnit === undefined ? '' : ` ${entry.observedUnit}`))
}

function row (item: Row, input: StatusPageInput): string {
  const { entry, name } = item
  const history = input.history(name)
  const latest = history?.changes[history.changes.length - 1]
  const sinceSeconds = entry.since ?? latest?.timestamp
  const since = sinceSeconds === undefined ? '' : `${time(sinceSeconds * 1000)}<br><small>${ago(input.now - sinceSeconds * 1000)} ago</small>`
  const notes: string[] = []
  if (!item.critical) notes.push('non-critical')
  if (item.own) notes.push('set by the app')
  if (entry.observed !== undefined && entry.observed !== entry.status) notes.push(`last run: ${entry.observed}`)
  const text = entry.error ?? entry.output ?? ''
  return `<tr class="check" data-name="${escapeHtml(name)}" data-status="${escapeHtml(entry.status)}">` +
    `<td class="name">${escapeHtml(name)}${notes.length === 0 ? '' : `<br><small>${escapeHtml(notes.join(', '))}</small>`}</td>` +
    `<td>${badge(entry.status, statusClass(entry.status))}</td>` +
    `<td class="num">${since}</td>` +
    `<td class="num">${(Math.round(entry.duration * 100) / 100).toString()} ms</td>` +
    `<td class="text">${escapeHtml(text)}</td>` +
    `<td class="num">${observed(entry)}</td>` +
    `<td class="num">${percent(history?.uptime['1h'] ?? null)}</td>` +
    `<td class="num">${percent(history?.uptime['24h'] ?? null)}</td>` +
    `<td>${timeline(history?.changes ?? [], input.now)}</td></tr>`
}

/**
 * The status page: a self-contained HTML document (its style inline, no script, no external resource) that reloads
 * itself every `refresh` seconds. With details, a row per entry: status as colour and word, since when, duration,
 * error or output, observed value, uptime over the last hour and day, and a strip of recent changes. Without, the
 * overall status word only. Every name and text is escaped.
 */
export function statusPage (input: StatusPageInput): string {
  const { outcome, group } = input
  const status = outcome.report.status
  const ok = outcome.code === 200
  const heading = `${escapeHtml(input.title)} <small>${escapeHtml(group)}</small> ${badge(status, ok ? 's-pass' : 's-fail')}`
  let body = `<h1>${heading}</h1><p class="meta">HTTP ${outcome.code} · ${time(input.now)} · reloads every ${input.refresh} s</p>`
  if (input.details) {
    const list = rows(outcome, group)
    const passed = list.filter(item => passing(item.entry.status)).length
    body += `<p class="meta">${passed} of ${list.length} passing</p>` +
      '<table><thead><tr><th>Check</th><th>Status</th><th>Since</th><th>Duration</th><th>Error or output</th><th>Observed</th>' +
      '<th>Uptime 1 h</th><th>Uptime 24 h</th><th>Recent changes</th></tr></thead><tbody>' +
      list.map(item => row(item, input)).join('') + '</tbody></table>'
  }
  return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="refresh" content="${input.refresh}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">' +
    `<title>${escapeHtml(`${input.title} ${group}: ${status}`)}</title><style>${STYLE}</style></head>` +
    `<body>${body}</body></html>`
}
