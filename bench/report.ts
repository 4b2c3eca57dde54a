// Statistics over the rounds and the Markdown table of bench/results.md.
import { BACKGROUND_MAX_CALLS_PER_SEC, FLOOR, type Row } from './rows'

/** One measured run of one row. */
export interface Sample {
  round: number
  /** Which of the row's server processes answered. */
  replica: number
  cpuUsPerReq: number
  /** The part of cpuUsPerReq spent in the kernel. */
  systemUsPerReq: number
  reqPerSec: number
  p50: number
  p99: number
  checkCallsPerSec: number
  /** Garbage collections per 1,000 requests, and their pause in µs per request. */
  gcPer1000: number
  gcUsPerReq: number
  bad: number
  rssMB: number
}

export interface Spread {
  median: number
  q1: number
  q3: number
  min: number
  max: number
}

/** Quantile `q` of sorted values, interpolating linearly between the two nearest ranks. */
function quantile (sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

export function spread (values: number[]): Spread {
  const sorted = values.filter(v => Number.isFinite(v)).sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN
  }
}

/**
 * Ratios of a row's CPU per request to another row's, round by round. Pairing by round cancels what a round shares
 * (other work on the machine, CPU frequency), so the ratio is steadier than the ratio of two medians.
 */
function pairedRatios (row: Sample[], other: Sample[] | undefined): Spread {
  const byRound = new Map((other ?? []).map(s => [s.round, s.cpuUsPerReq]))
  return spread(row.map(s => s.cpuUsPerReq / (byRound.get(s.round) ?? NaN)))
}

export interface Summary {
  row: string
  rounds: number
  cpuUsPerReq: Spread
  reqPerSec: Spread
  /** CPU per request ÷ the floor's, per round. */
  ratio: Spread
  /** CPU per request ÷ the `below` row's, per round, when the row's target names one. */
  ratioToBelow?: Spread
  /** CPU per request ÷ the `against` row's, per round, when the row's target names one. */
  ratioToAgainst?: Spread
  checkCallsPerSec: number
  rssMB: number
  bad: number
  /** Why the row was not measured, or its option was ignored. */
  unavailable?: string
  result: string
}

function verdict (row: Row, s: Omit<Summary, 'result'>): string {
  if (s.unavailable !== undefined) return `n/a (${s.unavailable})`
  const target = row.target
  if (target === undefined) return '–'
  if (!Number.isFinite(s.ratio.median)) return 'n/a (no floor in this run)'
  let ratio = s.ratio
  if (target.against !== undefined) {
    if (s.ratioToAgainst === undefined || !Number.isFinite(s.ratioToAgainst.median)) return `n/a (no ${target.against} in this run)`
    ratio = s.ratioToAgainst
  }
  let met = ratio.median <= target.maxRatio
  if (target.below !== undefined) {
    if (s.ratioToBelow === undefined || !Number.isFinite(s.ratioToBelow.median)) return `n/a (no ${target.below} in this run)`
    met &&= s.ratioToBelow.median < 1
  }
  // A bound inside the interquartile range of the ratio: the rounds disagree about which side of it the row is on.
  const close = target.maxRatio >= ratio.q1 && target.maxRatio <= ratio.q3
  return (met ? 'met' : '**missed**') + (close ? ' (within noise)' : '')
}

export function summarise (rows: Row[], samples: Map<string, Sample[]>, unavailable: Map<string, string>): Summary[] {
  const floor = samples.get(FLOOR)
  return rows.filter(row => samples.has(row.name)).map(row => {
    const list = samples.get(row.name) ?? []
    const below = row.target?.below
    const against = row.target?.against
    const checkCallsPerSec = spread(list.map(s => s.checkCallsPerSec)).median
    let why = unavailable.get(row.name)
    if (why === undefined && row.background === true && checkCallsPerSec > BACKGROUND_MAX_CALLS_PER_SEC) {
      why = 'option ignored: the checks ran per request'
    }
    const summary = {
      row: row.name,
      rounds: list.length,
      cpuUsPerReq: spread(list.map(s => s.cpuUsPerReq)),
      reqPerSec: spread(list.map(s => s.reqPerSec)),
      ratio: pairedRatios(list, floor),
      ...(below === undefined ? {} : { ratioToBelow: pairedRatios(list, samples.get(below)) }),
      ...(against === undefined ? {} : { ratioToAgainst: pairedRatios(list, samples.get(against)) }),
      checkCallsPerSec,
      rssMB: spread(list.map(s => s.rssMB)).median,
      bad: list.reduce((sum, s) => sum + s.bad, 0),
      ...(why === undefined ? {} : { unavailable: why })
    }
    return { ...summary, result: verdict(row, summary) }
  })
}

const fixed = (v: number, digits: number): string => Number.isFinite(v) ? v.toFixed(digits) : '–'
const int = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–'
const range = (a: number, b: number, f: (v: number) => string): string => `${f(a)}–${f(b)}`

function targetText (row: Row): string {
  if (row.target === undefined) return row.note ?? ''
  const below = row.target.below === undefined ? '' : `, below ${row.target.below}`
  const against = row.target.against === undefined ? '' : ` ${row.target.against}`
  return `≤ ${row.target.maxRatio.toFixed(2)}×${against}${below}`
}

export function table (rows: Row[], summaries: Summary[]): string {
  const lines = [
    '| row | CPU µs/req (median) | IQR | min–max | × floor (median [IQR]) | req/s (median [min–max]) | check calls/s | target | result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |'
  ]
  for (const s of summaries) {
    const row = rows.find(r => r.name === s.row) as Row
    const label = `${row.label} \`${row.name}\`` + (s.bad > 0 && row.unavailable503 !== true ? ` (${s.bad} errors or non-2xx)` : '')
    if (s.rounds === 0) {
      lines.push(`| ${label} | – | – | – | – | – | – | ${targetText(row)} | ${s.result} |`)
      continue
    }
    const c = s.cpuUsPerReq
    const below = (s.ratioToBelow === undefined ? '' : `; ×${row.target?.below} ${fixed(s.ratioToBelow.median, 2)}`) +
      (s.ratioToAgainst === undefined ? '' : `; ×${row.target?.against} ${fixed(s.ratioToAgainst.median, 3)} [${range(s.ratioToAgainst.q1, s.ratioToAgainst.q3, v => fixed(v, 3))}]`)
    lines.push([
      '',
      label,
      `**${fixed(c.median, 1)}**`,
      range(c.q1, c.q3, v => fixed(v, 1)),
      range(c.min, c.max, v => fixed(v, 1)),
      `${fixed(s.ratio.median, 3)} [${range(s.ratio.q1, s.ratio.q3, v => fixed(v, 3))}]${below}`,
      `${int(s.reqPerSec.median)} [${range(s.reqPerSec.min, s.reqPerSec.max, int)}]`,
      int(s.checkCallsPerSec),
      targetText(row),
      s.result,
      ''
    ].join(' | ').trim())
  }
  return lines.join('\n')
}
