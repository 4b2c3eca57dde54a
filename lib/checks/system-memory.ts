import { readFile } from 'node:fs/promises'
import { freemem } from 'node:os'

const MEM_AVAILABLE = /^MemAvailable:\s+(\d+) kB$/m

/**
 * Memory the system can give to new work without swapping, in bytes: Linux's `MemAvailable` (free memory plus the
 * page cache and reclaimable slabs it can drop) when `meminfo` has it, else `os.freemem()`, which on some systems
 * counts free pages only and so understates what is available. Rejects with the signal's reason when it aborts.
 */
export async function availableMemory (signal: AbortSignal, meminfo = '/proc/meminfo'): Promise<number> {
  let text: string
  try {
    text = await readFile(meminfo, { encoding: 'utf8', signal })
  } catch (err) {
    // No /proc (macOS, Windows) or no access to it: fall back. An abort is not a reason to fall back.
    if (signal.aborted) throw signal.reason
    return freemem()
  }
  const match = MEM_AVAILABLE.exec(text)
  return match === null ? freemem() : Number(match[1]) * 1024
}
