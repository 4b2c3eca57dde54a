import { statfs } from 'node:fs/promises'
import { invalid } from '../options'
import type { CheckOutcome, HealthCheckContext } from '../types'
import { untilAborted } from './abort'
import { formatBytes, formatRatio } from './format'
import { optionalBytes, optionsObject } from './validate'

/** Options of `diskSpace()`. */
export interface DiskSpaceOptions {
  /**
   * A file or directory on the filesystem to watch.
   * Default: `'.'` (the process's working directory).
   */
  path?: string
  /**
   * Fewest bytes that must be free (available to this unprivileged process, as `df` reports "Avail"). A positive
   * finite number.
   * Default: 1 GiB (`1073741824`) when `minFreeRatio` is not given either; otherwise none.
   */
  minFreeBytes?: number
  /**
   * Smallest share of the filesystem's size that must be free, from 0 to 1 exclusive (`0.1` is 10%).
   * Default: none.
   */
  minFreeRatio?: number
}

/** The threshold used when neither `minFreeBytes` nor `minFreeRatio` is given: 1 GiB. */
export const DEFAULT_MIN_FREE_BYTES = 1024 ** 3

const KEYS = ['path', 'minFreeBytes', 'minFreeRatio'] as const

/**
 * A check that the filesystem holding `path` has enough free space, read with `fs.promises.statfs` on each run.
 *
 * It resolves `{ status: 'pass', observedValue, observedUnit: 'bytes' }`, `observedValue` being the free bytes, when
 * every threshold is met. When one is not, it resolves `{ status: 'fail', output }` with the same figures and a reason
 * such as `free 512 MiB < required 1 GiB on "/data"` or `free 4.2% < required 10% on "/data"` (both joined by `; `
 * when both are missed). A path that cannot be read rejects with the system's message
 * (`ENOENT: no such file or directory, statfs '/nope'`); when the check's signal aborts (timeout, app closing) it
 * rejects at once with the signal's reason.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad option.
 */
export function diskSpace (options?: DiskSpaceOptions): (context: HealthCheckContext) => Promise<CheckOutcome> {
  const opts = optionsObject('diskSpace', options, KEYS)
  const path = opts.path ?? '.'
  if (typeof path !== 'string' || path === '') throw invalid('diskSpace option "path"', 'a non-empty string', path)
  let minFreeBytes = optionalBytes('diskSpace option "minFreeBytes"', opts.minFreeBytes)
  const minFreeRatio = opts.minFreeRatio
  if (minFreeRatio !== undefined && (typeof minFreeRatio !== 'number' || !(minFreeRatio > 0 && minFreeRatio < 1))) {
    throw invalid('diskSpace option "minFreeRatio"', 'a number greater than 0 and less than 1', minFreeRatio)
  }
  if (minFreeBytes === undefined && minFreeRatio === undefined) minFreeBytes = DEFAULT_MIN_FREE_BYTES
  const where = JSON.stringify(path)

  return async function diskSpaceCheck ({ signal }) {
    const stats = await untilAborted(async () => await statfs(path), signal)
    // bavail, not bfree: blocks reserved for root are not usable by this (unprivileged) process.
    const free = stats.bavail * stats.bsize
    const problems: string[] = []
    if (minFreeBytes !== undefined && free < minFreeBytes) {
      problems.push(`free ${formatBytes(free)} < required ${formatBytes(minFreeBytes)} on ${where}`)
    }
    if (minFreeRatio !== undefined) {
      // A filesystem reporting no blocks at all (some pseudo filesystems) has nothing free.
      const ratio = stats.blocks > 0 ? stats.bavail / stats.blocks : 0
      if (ratio < minFreeRatio) problems.push(`free ${formatRatio(ratio)} < required ${formatRatio(minFreeRatio)} on ${where}`)
    }
    const observed = { observedValue: free, observedUnit: 'bytes' }
    return problems.length > 0 ? { status: 'fail', output: problems.join('; '), ...observed } : { status: 'pass', ...observed }
  }
}
