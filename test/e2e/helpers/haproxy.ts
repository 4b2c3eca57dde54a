import { createConnection } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort, pollUntil, ROOT, startProcess, stop, type Proc } from '../../helpers/process'

/** Replaces `from` by `to` in `text`, failing when `from` does not occur exactly once (the example changed). */
export function replaceOnce (text: string, from: string, to: string, file: string): string {
  const parts = text.split(from)
  if (parts.length !== 2) throw new Error(`${file}: expected "${from}" exactly once, found it ${parts.length - 1} times`)
  return parts.join(to)
}

export interface Haproxy {
  proc: Proc
  /** Base URL of the frontend. */
  url: string
  /** `show stat` from the admin socket, one object per row keyed by the CSV header. */
  stats: () => Promise<Array<Record<string, string>>>
  /** The `status` column of each server of backend `app` (`UP`, `DOWN`, `UP 1/2`, ...). */
  serverStatus: () => Promise<Record<string, string>>
}

/**
 * Runs HAProxy with examples/haproxy.cfg, changed only where a test must: the frontend binds a free loopback port,
 * app1/app2 point at the given ports, the check timing is `timing` instead of `inter 2s fall 2 rise 2`, and an admin
 * socket is added to `global` so that the test can read the servers' state.
 */
export async function startHaproxy (t: Test, binary: string, ports: [number, number], timing: string): Promise<Haproxy> {
  const file = 'examples/haproxy.cfg'
  const dir = await mkdtemp(join(tmpdir(), 'fastify-health-haproxy-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const port = await freePort()
  const socket = join(dir, 'admin.sock')
  let cfg = await readFile(join(ROOT, file), 'utf8')
  cfg = replaceOnce(cfg, '    bind :80\n', `    bind 127.0.0.1:${port}\n`, file)
  cfg = replaceOnce(cfg, 'server app1 127.0.0.1:9090 check', `server app1 127.0.0.1:${ports[0]} check`, file)
  cfg = replaceOnce(cfg, 'server app2 127.0.0.1:9091 check', `server app2 127.0.0.1:${ports[1]} check`, file)
  cfg = replaceOnce(cfg, 'default-server inter 2s fall 2 rise 2', `default-server ${timing}`, file)
  cfg = replaceOnce(cfg, 'global\n', `global\n    stats socket ${socket} mode 600 level admin\n`, file)
  const cfgPath = join(dir, 'haproxy.cfg')
  await writeFile(cfgPath, cfg)
  // -db: stay in the foreground, so that the test owns the process and its output.
  const proc = startProcess(t, 'haproxy', binary, ['-db', '-f', cfgPath])
  t.teardown(async () => { await stop(proc, 'SIGTERM', 3000) })

  const stats = async (): Promise<Array<Record<string, string>>> => {
    const text = await new Promise<string>((resolve, reject) => {
      const conn = createConnection(socket)
      let data = ''
      conn.setEncoding('utf8')
      conn.on('data', (chunk: string) => { data += chunk })
      conn.on('end', () => resolve(data))
      conn.on('error', reject)
      conn.end('show stat\n')
    })
    const [header, ...rows] = text.trim().split('\n')
    if (!header?.startsWith('# ')) throw new Error(`unexpected "show stat" answer: ${text}`)
    const columns = header.slice(2).split(',')
    return rows.map(row => Object.fromEntries(row.split(',').map((value, i) => [columns[i], value])))
  }
  const serverStatus = async (): Promise<Record<string, string>> => {
    const rows = await stats()
    return Object.fromEntries(rows.filter(row => row.pxname === 'app' && row.svname.startsWith('app')).map(row => [row.svname, row.status]))
  }
  await pollUntil('the HAProxy admin socket', async () => (await stats()).length > 0 ? true : undefined, 10_000)
    .catch(err => { throw new Error(`${(err as Error).message}\nhaproxy output: ${proc.output()}`) })
  return { proc, url: `http://127.0.0.1:${port}`, stats, serverStatus }
}

/** Polls the admin socket until server `name` has a status starting with `status`; resolves with the time it took. */
export async function waitForStatus (haproxy: Haproxy, name: string, status: 'UP' | 'DOWN', timeoutMs = 10_000): Promise<number> {
  const started = performance.now()
  await pollUntil(`${name} ${status} in HAProxy`, async () => {
    const current = (await haproxy.serverStatus())[name] ?? ''
    // "UP 1/2" is UP but going down, "DOWN 1/2" is DOWN but coming up: only a settled state counts.
    return current === status ? true : undefined
  }, timeoutMs, 20)
  return performance.now() - started
}
