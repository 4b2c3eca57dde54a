/** One media range of an `Accept` header, lower-cased, with its quality. */
export interface Range {
  readonly type: string
  readonly q: number
}

const Q = /^\s*q\s*=\s*([0-9.]+)\s*$/i

/** The media ranges of an `Accept` header, each with its quality (1 unless given; an unreadable one counts as 0). */
export function parseAccept (accept: string): Range[] {
  const ranges: Range[] = []
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';')
    let q = 1
    for (const param of params) {
      const match = Q.exec(param)
      if (match !== null) q = Number(match[1])
    }
    ranges.push({ type: type.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0 })
  }
  return ranges
}

/**
 * Whether the ranges prefer `type`: it is listed by name with a quality at least as high as any other range's (asked
 * for by name, it wins a tie with a wildcard or another type).
 */
export function prefers (ranges: readonly Range[], type: string): boolean {
  let ours = 0
  let best = 0
  for (const range of ranges) {
    if (range.type === type) ours = Math.max(ours, range.q)
    else best = Math.max(best, range.q)
  }
  return ours > 0 && ours >= best
}
