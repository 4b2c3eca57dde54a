import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { inspect } from 'node:util'
import t from 'tap'
import { eventLoopDelay } from '../../lib/checks/event-loop-delay'

const context = { signal: new AbortController().signal }

/**
 * Lets the monitor started by a check's creation (or its first run after close()) take its first sample, which only sets its baseline (a sample is
 * the time between two ticks of its 10 ms timer). There is no event to await for that, hence the short sleep; the
 * turn after it makes sure the timers phase in which the tick is due has passed.
 */
async function letSamplingStart (): Promise<void> {
  await sleep(20)
  await nextTurn()
}

/**
 * Keeps the event loop busy, as a synchronous CPU-bound request would, then lets the loop go round once more: the
 * second turn comes after a timers phase, in which the monitor's late tick records the stall.
 */
async function stall (ms: number): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    // busy-wait on purpose
  }
  await nextTurn()
  await nextTurn()
}

t.test('fails after the event loop was blocked, passes again once the window is reset', async t => {
  // Limits here sit well above an idle tick (about 10 ms) and well below the stall, so that a loaded machine does
  // not turn an idle tick into a failure.
  const check = eventLoopDelay({ maxMs: 100 })
  t.teardown(check.close)
  await letSamplingStart()
  await stall(250)
  const failed = check(context)
  t.match(failed, { status: 'fail', output: /^event loop delay p99 \d+(\.\d)? ms > limit 100 ms$/, observedUnit: 'ms' })
  const delay = failed.observedValue as number
  // The stall, measured by the check: at least 250 ms less one 10 ms tick, and the same figure as its output.
  t.ok(delay >= 240, `observed ${delay} ms`)
  t.equal(Math.round(delay * 1000) / 1000, delay, 'at most 3 decimals')
  const shown = Number(/p99 (\S+) ms/.exec(failed.output as string)?.[1])
  t.ok(Math.abs(shown - delay) <= 0.051, `the output shows the same figure, to one decimal: ${shown} ≈ ${delay}`)
  // The failing run reset the histogram: the stall no longer counts, only the idle ticks after it.
  await letSamplingStart()
  const passed = check(context)
  t.same(Object.keys(passed).sort(), ['observedUnit', 'observedValue', 'status'])
  t.match(passed, { status: 'pass', observedUnit: 'ms' })
  t.ok((passed.observedValue as number) > 0 && (passed.observedValue as number) < 100, 'an idle tick is below the limit')
})

t.test('the percentile option picks the figure compared', async t => {
  const median = eventLoopDelay({ maxMs: 150, percentile: 50 })
  const worst = eventLoopDelay({ maxMs: 150, percentile: 100 })
  t.teardown(median.close)
  t.teardown(worst.close)
  await letSamplingStart()
  // Several idle ticks of about 10 ms, then one 300 ms stall: the median is an idle tick, the maximum the stall.
  await sleep(60)
  await stall(300)
  t.match(median(context), { status: 'pass', observedUnit: 'ms' }, 'p50 ignores a single stall')
  t.match(worst(context), { status: 'fail', output: /^event loop delay p100 \d+(\.\d)? ms > limit 150 ms$/, observedUnit: 'ms' })
})

t.test('passes when the loop is not delayed beyond maxMs', async t => {
  const check = eventLoopDelay({ maxMs: 1000 })
  t.teardown(check.close)
  await letSamplingStart()
  await stall(50)
  t.match(check(context), { status: 'pass', observedValue: Number, observedUnit: 'ms' })
  t.same(check(context), { status: 'pass' }, 'a run right after another, with no new sample, passes with no figure')
})

t.test('the first run reports the delay sampled since the check was created', async t => {
  const check = eventLoopDelay({ maxMs: 1000 })
  t.teardown(check.close)
  await letSamplingStart()
  await sleep(30)
  const first = check(context)
  t.same(Object.keys(first).sort(), ['observedUnit', 'observedValue', 'status'])
  t.match(first, { status: 'pass', observedValue: Number, observedUnit: 'ms' })
  t.ok((first.observedValue as number) > 0, `observed ${String(first.observedValue)} ms`)
})

t.test('close() stops the histogram; a later run starts a new one', async t => {
  const check = eventLoopDelay({ maxMs: 20 })
  await letSamplingStart()
  await stall(100)
  check.close()
  // Had close() kept the old histogram, its 100 ms sample would fail this run.
  t.same(check(context), { status: 'pass' }, 'the first run after close() starts again')
  check.close()
  t.doesNotThrow(() => { check.close() }, 'closing a closed check is fine')
})

t.test('validates its options at once', async t => {
  const bad: Array<[unknown, RegExp]> = [
    [undefined, /^fastify-health: eventLoopDelay option "maxMs" must be a positive finite number of milliseconds, received undefined/],
    [5, /^fastify-health: eventLoopDelay options must be an object with the keys maxMs, percentile, received number 5$/],
    [{ maxMs: 10, max: 5 }, /eventLoopDelay options has an unknown key "max" \(did you mean "maxMs"\?\); known keys: maxMs, percentile$/],
    [{ maxMs: 0 }, /^fastify-health: eventLoopDelay option "maxMs" must be a positive finite number of milliseconds, received number 0$/],
    [{ maxMs: '100' }, /eventLoopDelay option "maxMs" must be a positive finite number of milliseconds, received "100"$/],
    [{ maxMs: 10, percentile: 0 }, /^fastify-health: eventLoopDelay option "percentile" must be a number greater than 0 and at most 100, received number 0$/],
    [{ maxMs: 10, percentile: 101 }, /eventLoopDelay option "percentile" must be a number greater than 0 and at most 100, received number 101$/],
    [{ maxMs: 10, percentile: 'p99' }, /eventLoopDelay option "percentile" must be .*, received "p99"$/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => eventLoopDelay(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect(options))
  }
  const check = eventLoopDelay({ maxMs: 10, percentile: 100 })
  t.type(check.close, 'function', 'percentile 100 is accepted')
  check.close()
})
