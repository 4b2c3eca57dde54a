// The gRPC health service answering a @grpc/grpc-js client with the official health.proto, over a real loopback
// connection, with a background check on its own interval: Check for each service name, List, and a Watch stream
// that sees the check's change within its interval, with no probe or Check asking. Real time: the check runs every
// 200 ms; the change must reach the stream within that interval plus 300 ms of margin (a loaded machine).
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../../lib/index'
import { healthService } from '../../lib/integrations/grpc'

const INTERVAL = 200
const MARGIN = 300

t.test('Check, List and a Watch that follows a background check as it changes', async t => {
  const app = Fastify()
  await app.register(healthPlugin)
  let up = true
  app.addReadyCheck('db', () => up, { interval: INTERVAL })
  app.addHealthCheck('loop', () => true)
  await app.ready()
  const server = new grpc.Server()
  const { definition, implementation } = healthService(app)
  server.addService(definition, implementation)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => { if (err !== null) reject(err); else resolve(bound) })
  })
  const proto = grpc.loadPackageDefinition(protoLoader.loadSync(join(__dirname, '../fixtures/grpc/health.proto'), { enums: String, defaults: true })) as any
  const client = new proto.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  t.teardown(async () => {
    client.close()
    await app.close()
    server.forceShutdown()
  })
  const call = async (method: string, request: object): Promise<any> => await new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 5000 }, (err: Error | null, response: any) => { if (err !== null) reject(err); else resolve(response) })
  })

  for (const service of ['', 'readiness', 'liveness', 'startup']) {
    t.same(await call('Check', { service }), { status: 'SERVING' }, `Check ${JSON.stringify(service)}: SERVING`)
  }
  await t.rejects(call('Check', { service: 'nope' }), { code: grpc.status.NOT_FOUND })
  const list = await call('List', {})
  t.same(Object.keys(list.statuses).sort(), ['', 'liveness', 'readiness', 'startup'])

  const stream = client.Watch({ service: '' })
  stream.on('error', () => {})
  t.teardown(() => { stream.cancel() })
  const received: Array<{ status: string, at: number }> = []
  let wake: (() => void) | undefined
  stream.on('data', (message: { status: string }) => {
    received.push({ status: message.status, at: performance.now() })
    wake?.()
  })
  const next = async (count: number): Promise<void> => {
    while (received.length < count) await new Promise<void>(resolve => { wake = resolve })
  }
  await next(1)
  t.equal(received[0].status, 'SERVING', 'the current status at once')
  const changedAt = performance.now()
  up = false
  await next(2)
  const waited = received[1].at - changedAt
  t.equal(received[1].status, 'NOT_SERVING')
  t.ok(waited < INTERVAL + MARGIN, `the stream saw the change ${Math.round(waited)} ms after it, within the ${INTERVAL} ms interval (+${MARGIN} ms margin)`)
  up = true
  await next(3)
  t.equal(received[2].status, 'SERVING', 'and the recovery')
})
