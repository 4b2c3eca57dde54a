import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort, startProcess, type Proc } from '../../helpers/process'

/**
 * A redis-server on a free loopback port, without persistence, in a directory of its own that is removed when the test
 * ends. `start()` starts it (again, on the same port) and resolves once it accepts connections.
 */
export async function redisServer (t: Test, bin: string): Promise<{ port: number, start: () => Promise<Proc> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-health-redis-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const port = await freePort()
  const start = async (): Promise<Proc> => {
    const redis = startProcess(t, 'redis-server', bin, [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir
    ])
    await redis.waitFor(/Ready to accept connections/)
    return redis
  }
  return { port, start }
}
