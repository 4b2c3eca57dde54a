import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { healthServiceOf } from '../../lib/integrations/grpc-service'
import type { HealthSource } from '../../lib/integrations/source'

// Custom groups through the service's narrow source: a fake one, whose groups and statuses the test sets, served to a
// real @grpc/grpc-js client with the official health.proto.
const definition = protoLoader.loadSync(join(__dirname, '../fixtures/grpc/health.proto'), { keepCase: true, enums: String, defaults: true })
const HealthClient = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health as typeof grpc.Client

function fakeSource (groups: string[], statuses: Record<string, boolean>): HealthSource & { change: () => void } {
  const listeners = new Set<() => void>()
  return {
    log: Fastify().log,
    timeout: 800,
    checks: () => [],
    groups: () => groups,
    groupStatus: group => statuses[group] ?? null,
    report: async group => ({ passing: statuses[group], report: { status: statuses[group] ? 'ready' : 'not_ready', timestamp: 0, checks: {} } }),
    onChange (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    onObservation: () => () => {},
    onClose: () => () => {},
    change () { for (const listener of listeners) listener() }
  }
}

async function serve (t: Test, source: HealthSource): Promise<any> {
  const server = new grpc.Server()
  const { definition: service, implementation } = healthServiceOf(source, grpc.status)
  server.addService(service, implementation)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => { if (err !== null) reject(err); else resolve(bound) })
  })
  const client = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any
  t.teardown(() => {
    client.close()
    server.forceShutdown()
  })
  return client
}

const call = async (client: any, method: string, request: object): Promise<any> => await new Promise((resolve, reject) => {
  client[method](request, (err: Error | null, response: any) => { if (err !== null) reject(err); else resolve(response) })
})

t.test('each custom group is a service by its name, in Check and List; built-in group names are not', async t => {
  const source = fakeSource(['health', 'ready', 'startup', 'payments', 'search'], { health: true, ready: true, startup: true, payments: false, search: true })
  const client = await serve(t, source)
  t.same(await call(client, 'Check', { service: 'payments' }), { status: 'NOT_SERVING' })
  t.same(await call(client, 'Check', { service: 'search' }), { status: 'SERVING' })
  await t.rejects(call(client, 'Check', { service: 'ready' }), { code: grpc.status.NOT_FOUND }, 'a built-in group goes by its service name only')
  const { statuses } = await call(client, 'List', {})
  t.same(Object.fromEntries(Object.entries(statuses).map(([k, v]: [string, any]) => [k, v.status])),
    { '': 'SERVING', liveness: 'SERVING', readiness: 'SERVING', startup: 'SERVING', payments: 'NOT_SERVING', search: 'SERVING' })
})

t.test('a Watch of a name not known yet turns into its status once the group exists', async t => {
  const groups = ['health', 'ready', 'startup']
  const statuses: Record<string, boolean> = { health: true, ready: true, startup: true }
  const source = fakeSource(groups, statuses)
  const client = await serve(t, source)
  const stream = client.Watch({ service: 'payments' })
  stream.on('error', () => {})
  t.teardown(() => { stream.cancel() })
  const received: string[] = []
  const waiters: Array<() => void> = []
  stream.on('data', (message: { status: string }) => { received.push(message.status); for (const w of waiters.splice(0)) w() })
  const next = async (count: number): Promise<string[]> => {
    while (received.length < count) await new Promise<void>(resolve => waiters.push(resolve))
    return received.slice()
  }
  t.same(await next(1), ['SERVICE_UNKNOWN'])
  groups.push('payments')
  source.change()
  t.same(received, ['SERVICE_UNKNOWN'], 'a group with no status yet sends nothing')
  statuses.payments = true
  source.change()
  t.same(await next(2), ['SERVICE_UNKNOWN', 'SERVING'])
  groups.pop()
  source.change()
  t.same(await next(3), ['SERVICE_UNKNOWN', 'SERVING', 'SERVICE_UNKNOWN'], 'and back to unknown when it goes')
})

t.test('List answers RESOURCE_EXHAUSTED past 100 services, as the proto says', async t => {
  // Four built-in service names ("", liveness, readiness, startup) and 96 custom groups.
  const many = Array.from({ length: 96 }, (_, i) => `group-${i}`)
  const groups = ['health', 'ready', 'startup', ...many]
  const statuses = Object.fromEntries(groups.map(g => [g, true]))
  const source = fakeSource(groups, statuses)
  const client = await serve(t, source)
  t.equal(Object.keys((await call(client, 'List', {})).statuses).length, 100, '100 services: answered')
  groups.push('one-more')
  statuses['one-more'] = true
  await t.rejects(call(client, 'List', {}), { code: grpc.status.RESOURCE_EXHAUSTED, details: '101 services, more than the 100 List may return' })
})
