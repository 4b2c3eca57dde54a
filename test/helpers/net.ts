import { once } from 'node:events'
import { createServer as createHttpServer, request, type RequestListener, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import type { Test } from 'tap'

/** A TCP port on 127.0.0.1 that was free a moment ago: for a closed port, or a program that cannot pick its own. */
export async function freePort (): Promise<number> {
  const server = createTcpServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

/** A real HTTP server on 127.0.0.1 with `handler`, closed (connections included) when the test ends. */
export async function serveHttp (t: Test, handler: RequestListener): Promise<{ base: string, server: HttpServer }> {
  const server = createHttpServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The body parsed as JSON (parsed when read: a non-JSON body throws only if a test asks for it). */
  readonly json: any
  /** Milliseconds from sending the request to the end of the response. */
  ms: number
}

/**
 * One request on a fresh connection (no keep-alive socket outlives it or is shared between probes), failing after
 * `timeoutMs`.
 */
export async function get (url: string, options: { method?: string, timeoutMs?: number, headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const started = performance.now()
  return await new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(options.timeoutMs ?? 5000)
    const req = request(url, { method: options.method ?? 'GET', agent: false, headers: options.headers, signal }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          get json () { return JSON.parse(body) },
          ms: performance.now() - started
        })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
