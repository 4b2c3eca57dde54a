import type { CheckOutcome, HealthCheckContext } from '../types'
import { formatBytes } from './format'
import { availableMemory } from './system-memory'
import { optionalBytes, optionsObject } from './validate'
import { invalid } from '../options'

/** Options of `memory()`; at least one is required. */
export interface MemoryOptions {
  /**
   * Fewest bytes of system memory that must be available: `MemAvailable` from `/proc/meminfo` where it exists
   * (Linux), else `os.freemem()`. A positive finite number. Inside a container this is the host's figure, not the
   * container's limit.
   * Default: none.
   */
  minAvailableBytes?: number
  /**
   * Most bytes this process's resident set may use (`process.memoryUsage.rss()`). A positive finite number.
   * Default: none.
   */
  maxRssBytes?: number
  /**
   * Most bytes of V8 heap this process may use (`process.memoryUsage().heapUsed`). A positive finite number.
   * Default: none.
   */
  maxHeapUsedBytes?: number
}

const KEYS = ['minAvailableBytes', 'maxRssBytes', 'maxHeapUsedBytes'] as const

/**
 * A check of system and process memory against the thresholds given.
 *
 * It resolves `{ status: 'pass', observedValue, observedUnit: 'bytes' }` when every threshold is met. `observedValue`
 * is the figure of the first threshold given, in the order available memory, rss, heap used (one `memory()` check per
 * threshold reports each figure). When a threshold is missed it resolves `{ status: 'fail', output }` with the same
 * figures and a reason such as `available memory 200 MiB < required 512 MiB`, `rss 1.2 GiB > limit 1 GiB` or
 * `heap used 900 MiB > limit 512 MiB` (several joined by `; `). When the check's signal aborts it rejects with the
 * signal's reason.
 *
 * Throws FST_HEALTH_INVALID_OPTION at once for a bad option, or when no threshold is given (such a check could never
 * fail).
 */
export function memory (options: MemoryOptions): (context: HealthCheckContext) => Promise<CheckOutcome> {
  const opts = optionsObject('memory', options, KEYS)
  const minAvailableBytes = optionalBytes('memory option "minAvailableBytes"', opts.minAvailableBytes)
  const maxRssBytes = optionalBytes('memory option "maxRssBytes"', opts.maxRssBytes)
  const maxHeapUsedBytes = optionalBytes('memory option "maxHeapUsedBytes"', opts.maxHeapUsedBytes)
  if (minAvailableBytes === undefined && maxRssBytes === undefined && maxHeapUsedBytes === undefined) {
    throw invalid('memory options', `an object with at least one of ${KEYS.join(', ')}`, options)
  }

  return async function memoryCheck ({ signal }) {
    const problems: string[] = []
    const figures: number[] = []
    if (minAvailableBytes !== undefined) {
      const available = await availableMemory(signal)
      figures.push(available)
      if (available < minAvailableBytes) {
        problems.push(`available memory ${formatBytes(available)} < required ${formatBytes(minAvailableBytes)}`)
      }
    }
    if (maxRssBytes !== undefined) {
      // memoryUsage.rss() skips the heap statistics that memoryUsage() gathers.
      const rss = process.memoryUsage.rss()
      figures.push(rss)
      if (rss > maxRssBytes) problems.push(`rss ${formatBytes(rss)} > limit ${formatBytes(maxRssBytes)}`)
    }
    if (maxHeapUsedBytes !== undefined) {
      const heapUsed = process.memoryUsage().heapUsed
      figures.push(heapUsed)
      if (heapUsed > maxHeapUsedBytes) problems.push(`heap used ${formatBytes(heapUsed)} > limit ${formatBytes(maxHeapUsedBytes)}`)
    }
    const observed = { observedValue: figures[0], observedUnit: 'bytes' }
    return problems.length > 0 ? { status: 'fail', output: problems.join('; '), ...observed } : { status: 'pass', ...observed }
  }
}
