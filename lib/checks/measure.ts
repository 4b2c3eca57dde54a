import { performance } from 'node:perf_hooks'

/** Milliseconds rounded to 3 decimals (a microsecond): finer digits are timer noise. */
export function roundMs (ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** Milliseconds since `start`, a `performance.now()` reading, rounded as `roundMs` does. */
export function elapsedMs (start: number): number {
  return roundMs(performance.now() - start)
}
