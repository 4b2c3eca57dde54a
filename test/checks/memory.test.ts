import { join } from 'node:path'
import { inspect } from 'node:util'
import t from 'tap'
import { memory } from '../../lib/checks/memory'
import { availableMemory } from '../../lib/checks/system-memory'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })
const EiB = 1024 ** 6

t.test('passes when every threshold is met', async t => {
  t.equal(await memory({ minAvailableBytes: 1 })(context()), true)
  t.equal(await memory({ maxRssBytes: EiB })(context()), true)
  t.equal(await memory({ maxHeapUsedBytes: EiB })(context()), true)
  t.equal(await memory({ minAvailableBytes: 1, maxRssBytes: EiB, maxHeapUsedBytes: EiB })(context()), true)
})

t.test('rejects with the figures of each threshold missed', async t => {
  // No machine has an exbibyte available, and every process uses more than one byte.
  await t.rejects(memory({ minAvailableBytes: EiB })(context()), { message: /^available memory \d+(\.\d)? [KMGT]iB < required 1 EiB$/ })
  await t.rejects(memory({ maxRssBytes: 1 })(context()), { message: /^rss \d+(\.\d)? [KMG]iB > limit 1 B$/ })
  await t.rejects(memory({ maxHeapUsedBytes: 1024 })(context()), { message: /^heap used \d+(\.\d)? [KMG]iB > limit 1 KiB$/ })
  await t.rejects(memory({ minAvailableBytes: EiB, maxRssBytes: 1, maxHeapUsedBytes: 1 })(context()),
    { message: /^available memory .* < required 1 EiB; rss .* > limit 1 B; heap used .* > limit 1 B$/ })
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
    [{ maxRss: 1 }, /memory options must be .* \(unknown key "maxRss"\)/],
    [{ minAvailableBytes: 0 }, /^fastify-health: memory option "minAvailableBytes" must be a positive finite number of bytes, received number 0$/],
    [{ maxRssBytes: '1G' }, /^fastify-health: memory option "maxRssBytes" must be a positive finite number of bytes, received "1G"$/],
    [{ maxHeapUsedBytes: -5 }, /^fastify-health: memory option "maxHeapUsedBytes" must be a positive finite number of bytes, received number -5$/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => memory(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect(options))
  }
})
