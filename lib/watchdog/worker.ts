// The watchdog thread: an HTTP server for the probe routes, answering with the main thread's answers, or for it when
// it is busy or stuck. Started by watchdog.ts with a WorkerConfig as its workerData.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { Dispatcher } from './dispatcher'
import type { MainMessage, WorkerConfig, WorkerMessage } from './protocol'

const config = workerData as WorkerConfig
const main = parentPort as MessagePort
const post = (message: WorkerMessage): void => { main.postMessage(message) }
const heartbeat = new BigInt64Array(config.heartbeat)

const dispatcher = new Dispatcher({
  config,
  post,
  heartbeatAge: () => Number(process.hrtime.bigint() - Atomics.load(heartbeat, 0)) / 1e6
})
main.on('message', (message: MainMessage) => { dispatcher.receive(message) })

const server = createServer((request, response) => {
  dispatcher.handle(request, answer => {
    response.writeHead(answer.status, answer.headers)
    response.end(request.method === 'HEAD' ? undefined : answer.body)
  })
})
// A probe is one small request: a client that takes longer than this to send it is not a prober.
server.headersTimeout = server.requestTimeout = 10_000
server.on('error', (err) => { post({ type: 'listen-error', message: err.message }) })
server.listen({ port: config.port, host: config.host }, () => {
  const { address, port } = server.address() as AddressInfo
  post({ type: 'listening', address, port })
})
