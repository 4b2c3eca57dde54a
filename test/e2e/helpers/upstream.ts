import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { Test } from 'tap'

export type UpstreamMode = 'ok' | 'error' | 'hang'

/**
 * A stand-in for the "external API" the full example's `external_api` check calls (EXTERNAL_API_URL): a real HTTP
 * server on loopback whose answer the test changes, so that the example fails the way it would in production.
 */
export async function startUpstream (t: Test): Promise<{ url: string, setMode: (mode: UpstreamMode) => void, hits: () => number }> {
  let mode: UpstreamMode = 'ok'
  let hits = 0
  const hanging = new Set<ServerResponse>()
  const server = createServer((_req, res) => {
    hits++
    if (mode === 'ok') res.end('{"status":"ok"}')
    else if (mode === 'error') {
      res.statusCode = 500
      res.end('{"status":"down"}')
    } else hanging.add(res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const res of hanging) res.destroy()
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/status`,
    setMode: (next) => {
      mode = next
      if (next !== 'hang') {
        for (const res of hanging) res.destroy()
        hanging.clear()
      }
    },
    hits: () => hits
  }
}
