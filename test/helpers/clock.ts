import * as FakeTimers from '@sinonjs/fake-timers'
import type { Test } from 'tap'

/**
 * A controllable clock for the rest of the test: setTimeout, setInterval, Date and performance.now() move only when
 * the test calls `clock.tickAsync(ms)` (which also lets promises settle between timers). setImmediate, process.nextTick
 * and I/O stay real, so Fastify's inject() and promise chains run as usual. Install it after the app is ready: the
 * plugin loader's own timers then stay real.
 */
export function fakeClock (t: Test): FakeTimers.Clock {
  const clock = FakeTimers.install({
    now: Date.now(),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']
  })
  t.teardown(() => { clock.uninstall() })
  return clock
}
