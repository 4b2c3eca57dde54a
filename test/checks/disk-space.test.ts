import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import t from 'tap'
import { DEFAULT_MIN_FREE_BYTES, diskSpace } from '../../lib/checks/disk-space'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })

// /proc reports a filesystem with no blocks at all: a real, fixed "disk" with nothing free.
const EMPTY_FS = '/proc'

/** The outcome of a run that found `output` on a filesystem with nothing free. */
const emptyFail = (output: string): object => ({ status: 'fail', output, observedValue: 0, observedUnit: 'bytes' })

/**
 * The free bytes of `dir`'s filesystem now, as the check reads them. Free space moves while tests run (other
 * processes write), so a figure the check reports is compared with readings taken around its run.
 */
async function freeBytes (dir: string): Promise<number> {
  const stats = await statfs(dir)
  return stats.bavail * stats.bsize
}

t.test('passes with the free bytes when the free space of the directory meets the thresholds', async t => {
  const dir = t.testdir({ file: 'x' })
  const stats = await statfs(dir)
  const free = stats.bavail * stats.bsize
  t.ok(free > 0, 'the test machine has free space')
  const outcome = await diskSpace({ path: dir, minFreeBytes: free / 2 })(context())
  const after = await freeBytes(dir)
  t.same(Object.keys(outcome).sort(), ['observedUnit', 'observedValue', 'status'])
  t.match(outcome, { status: 'pass', observedUnit: 'bytes' })
  const observed = outcome.observedValue as number
  t.ok(Number.isInteger(observed) && observed % stats.bsize === 0, 'whole blocks')
  // Within 1% of the readings around the run: the figure is the free space, not the size or the threshold.
  t.ok(Math.abs(observed - free) <= free / 100 || Math.abs(observed - after) <= after / 100, `${observed} ≈ ${free}`)
  t.match(await diskSpace({ path: join(dir, 'file'), minFreeRatio: stats.bavail / stats.blocks / 2 })(context()),
    { status: 'pass', observedValue: Number, observedUnit: 'bytes' }, 'a file path works too')
  t.match(await diskSpace({ path: dir, minFreeBytes: 1, minFreeRatio: stats.bavail / stats.blocks / 2 })(context()), { status: 'pass' })
})

t.test('fails with the free and required figures when the bytes threshold is missed', async t => {
  const dir = t.testdir()
  const stats = await statfs(dir)
  const total = stats.blocks * stats.bsize
  // More than the whole filesystem can never be free.
  const outcome = await diskSpace({ path: dir, minFreeBytes: total * 2 })(context())
  t.match(outcome, {
    status: 'fail',
    output: new RegExp(`^free \\d+(\\.\\d)? [KMGTPE]?i?B < required \\d+(\\.\\d)? [KMGTPE]iB on ${JSON.stringify(JSON.stringify(dir)).slice(1, -1)}$`),
    observedValue: Number,
    observedUnit: 'bytes'
  })
  t.ok((outcome.observedValue as number) > 0 && (outcome.observedValue as number) <= total, 'the free bytes, not the threshold')
})

t.test('uses 1 GiB as the threshold when none is given', async t => {
  t.equal(DEFAULT_MIN_FREE_BYTES, 1024 ** 3)
  t.same(await diskSpace({ path: EMPTY_FS })(context()), emptyFail('free 0 B < required 1 GiB on "/proc"'))
  t.same(await diskSpace({ path: EMPTY_FS, minFreeBytes: undefined, minFreeRatio: undefined })(context()),
    emptyFail('free 0 B < required 1 GiB on "/proc"'))
})

t.test('no bytes default when only the ratio is given', async t => {
  const dir = t.testdir()
  const stats = await statfs(dir)
  // A ratio the disk meets: were the 1 GiB default still applied on top, a nearly full disk could fail; the message
  // of the /proc case below shows that only the ratio is judged.
  t.match(await diskSpace({ path: dir, minFreeRatio: stats.bavail / stats.blocks / 2 })(context()), { status: 'pass' })
  t.same(await diskSpace({ path: EMPTY_FS, minFreeRatio: 0.1 })(context()), emptyFail('free 0% < required 10% on "/proc"'))
})

t.test('reports both thresholds when both are missed', async t => {
  t.same(await diskSpace({ path: EMPTY_FS, minFreeBytes: 512 * 1024 ** 2, minFreeRatio: 0.05 })(context()),
    emptyFail('free 0 B < required 512 MiB on "/proc"; free 0% < required 5% on "/proc"'))
})

t.test('the path defaults to the working directory', async t => {
  t.match(await diskSpace({ minFreeBytes: Number.MAX_SAFE_INTEGER })(context()), { status: 'fail', output: / on "\."$/ })
  const stats = await statfs('.')
  t.match(await diskSpace({ minFreeBytes: stats.bavail * stats.bsize / 2 })(context()), { status: 'pass' })
})

t.test('rejects with the system message for a path that does not exist', async t => {
  const missing = join(t.testdir(), 'missing')
  await t.rejects(diskSpace({ path: missing, minFreeBytes: 1 })(context()), { code: 'ENOENT', message: /no such file or directory/ })
})

t.test('honours the signal', async t => {
  const dir = t.testdir()
  const reason = new Error('gave up')

  const before = new AbortController()
  before.abort(reason)
  await t.rejects(diskSpace({ path: dir, minFreeBytes: 1 })({ signal: before.signal }), reason, 'an aborted signal rejects at once')

  const during = new AbortController()
  const run = diskSpace({ path: dir, minFreeBytes: 1 })({ signal: during.signal })
  // statfs runs on the thread pool, so it is still in flight here.
  during.abort(reason)
  await t.rejects(run, reason, 'aborting during statfs rejects with the reason')
})

t.test('validates its options at once', async t => {
  const bad: Array<[unknown, RegExp]> = [
    ['big', /^fastify-health: diskSpace options must be an object with the keys path, minFreeBytes, minFreeRatio, received "big"$/],
    [null, /^fastify-health: diskSpace options must be an object .*, received null$/],
    [{ minFreeByte: 1 }, /^fastify-health: diskSpace options has an unknown key "minFreeByte" \(did you mean "minFreeBytes"\?\); known keys: path, minFreeBytes, minFreeRatio$/],
    [{ minfreeratio: 0.1 }, /diskSpace options has an unknown key "minfreeratio" \(did you mean "minFreeRatio"\?\)/],
    [{ Path: '/' }, /diskSpace options has an unknown key "Path" \(did you mean "path"\?\)/],
    [{ path: '' }, /^fastify-health: diskSpace option "path" must be a non-empty string, received ""$/],
    [{ path: 5 }, /diskSpace option "path" must be a non-empty string, received number 5$/],
    [{ minFreeBytes: 0 }, /diskSpace option "minFreeBytes" must be a positive finite number of bytes, received number 0$/],
    [{ minFreeBytes: -1 }, /diskSpace option "minFreeBytes" must be a positive finite number of bytes/],
    [{ minFreeBytes: Infinity }, /diskSpace option "minFreeBytes" must be a positive finite number of bytes/],
    [{ minFreeBytes: '1GB' }, /diskSpace option "minFreeBytes" must be a positive finite number of bytes, received "1GB"$/],
    [{ minFreeRatio: 0 }, /diskSpace option "minFreeRatio" must be a number greater than 0 and less than 1, received number 0$/],
    [{ minFreeRatio: 1 }, /diskSpace option "minFreeRatio" must be a number greater than 0 and less than 1/],
    [{ minFreeRatio: NaN }, /diskSpace option "minFreeRatio" must be a number greater than 0 and less than 1/],
    [{ minFreeRatio: '10%' }, /diskSpace option "minFreeRatio" must be .*, received "10%"$/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => diskSpace(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect(options))
  }
  t.type(diskSpace(), 'function', 'no options at all is fine')
})
