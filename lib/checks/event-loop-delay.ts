import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { invalid, positiveMs } from '../options'
import type { CheckOutcome, HealthCheckContext } from '../types'
import { formatMs } from './format'
import { roundMs } from './measure'
import { optionsObject } from './validate'

/** Options of `eventLoopDelay()`. */
export interface EventLoopDelayOptions {
  /**
   * Largest acceptable event loop delay at `percentile`, in milliseconds. A positive finite number. Required.
   * Each sample is the time between two ticks of a 10 ms timer, so an idle loop reads about 10 ms: pick a limit well
   * above that (50–200 ms is typical).
   */
  maxMs: number
  /**
   * Which percentile of the delays sampled since the previous run is compared with `maxMs`, greater than 0 and at
   * most 100.
   * Default: `99`.
   */
  percentile?: number
}

/** The check `eventLoopDelay()` returns: it answers synchronously and holds a histogram, which `close()` stops. */
export type EventLoopDelayCheck = ((context: HealthCheckContext) => CheckOutcome) & { close: () => void }

const KEYS = ['maxMs', 'percentile'] as const

/**
 * A check of event loop delay, measured with `perf_hooks.monitorEventLoopDelay` (sampled every 10 ms).
 *
 * The histogram starts when the check is created, so that its first run already judges the delays sampled since
 * then. Each run reads the percentile of the delays sampled since the run before (or since creation), then resets the
 * histogram, so that one stall fails the next run only. It returns `{ status: 'pass', observedValue, observedUnit:
 * 'ms' }`, `observedValue` being that percentile, or when it is above `maxMs` `{ status: 'fail', output }` with the
 * same figures and a reason such as `event loop delay p99 212.4 ms > limit 100 ms`. A run with no sample since the one
 * before (within about 20 ms of it) has nothing to judge and returns `{ status: 'pass' }` with no figure. The check
 * answers synchronously and so never waits on its signal. The histogram's timer does not keep the process alive; the
 * plugin calls the check's `close()` when the app closes, which stops it, and a run after that starts it again.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad option.
 */
export function eventLoopDelay (options: EventLoopDelayOptions): EventLoopDelayCheck {
  const opts = optionsObject('eventLoopDelay', options, KEYS)
  const maxMs = positiveMs('eventLoopDelay option "maxMs"', opts.maxMs)
  const percentile = opts.percentile ?? 99
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) {
    throw invalid('eventLoopDelay option "percentile"', 'a number greater than 0 and at most 100', percentile)
  }
  const p: number = percentile
  const start = (): IntervalHistogram => {
    const started = monitorEventLoopDelay({ resolution: 10 })
    started.enable()
    return started
  }
  let histogram: IntervalHistogram | undefined = start()

  function eventLoopDelayCheck (): CheckOutcome {
    if (histogram === undefined) {
      histogram = start()
      return { status: 'pass' }
    }
    // No sample yet (two runs within one sampling interval): nothing was measured, and nothing says the loop is late.
    if (histogram.count === 0) return { status: 'pass' }
    const delay = histogram.percentile(p) / 1e6
    histogram.reset()
    const observed = { observedValue: roundMs(delay), observedUnit: 'ms' }
    if (delay > maxMs) return { status: 'fail', output: `event loop delay p${p} ${formatMs(delay)} > limit ${formatMs(maxMs)}`, ...observed }
    return { status: 'pass', ...observed }
  }
  eventLoopDelayCheck.close = function close (): void {
    histogram?.disable()
    histogram = undefined
  }
  return eventLoopDelayCheck
}
