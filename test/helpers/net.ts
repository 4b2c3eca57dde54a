import { once } from 'node:events'
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http'
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
