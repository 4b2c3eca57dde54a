import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import { healthService, healthDefinition } from '../../lib/integrations/grpc'
import { setPeerLoader } from '../../lib/integrations/peer'
import type { HealthPluginOptions } from '../../lib/types'
import { deferred } from '../helpers/async'

// The client side is @grpc/grpc-js with @grpc/proto-loader reading the official health.proto: what any gRPC client,
// the Kubernetes gRPC probe and grpc-health-probe speak.
const definition = protoLoader.loadSync(join(__dirname, '../fixtures/grpc/health.proto'), { keepCase: true, enums: String, defaults: true })
const proto = grpc.loadPackageDefinition(definition) as any
const HealthClient = proto.grpc.health.v1.Health as typeof grpc.Client

interface Client extends grpc.Client {
  Check: (request: { service: string }, callback: (err: grpc.ServiceError | null, response?: { status: string }) => void) => void
  List: (request: object, callback: (err: grpc.ServiceError | null, response?: { statuses: Record<string, { status: string }> }) => void) => void
  Watch: (request: { service: string }) => grpc.ClientReadableStream<{ status: string }>
}

type Implementation = grpc.UntypedServiceImplementation

async function serve (t: Test, options: HealthPluginOptions = {}, setup: (app: FastifyInstance) => void = () => {}, wrap = (impl: Implementation) => impl): Promise<{ app: FastifyInstance, client: Client }> {
  const app = Fastify()
  await app.register(healthPlugin, options)
  setup(app)
  await app.ready()
  const server = new grpc.Server()
  const { definition: service, implementation } = healthService(app)
  server.addService(service, wrap(implementation))
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => { if (err !== null) reject(err); else resolve(bound) })
  })
  const client = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as Client
  t.teardown(async () => {
    client.close()
    await app.close()
    server.forceShutdown()
  })
  return { app, client }
}

const check = async (client: Client, service: string): Promise<string> => await new Promise((resolve, reject) => {
  client.Check({ service }, (err, response) => { if (err !== null) reject(err); else resolve(response?.status as string) })
})

const list = async (client: Client): Promise<Record<string, string>> => await new Promise((resolve, reject) => {
  client.List({}, (err, response) => {
    if (err !== null) reject(err)
    else resolve(Object.fromEntries(Object.entries(response?.statuses ?? {}).map(([name, value]) => [name, value.status])))
  })
})

/** A Watch stream and the statuses it has received, with a way to wait for the next one. */
function watch (t: Test, client: Client, service: string): { statuses: string[], next: (count: number) => Promise<string[]>, ended: Promise<grpc.StatusObject>, call: grpc.ClientReadableStream<{ status: string }> } {
  const call = client.Watch({ service })
  const statuses: string[] = []
  const waiters: Array<() => void> = []
  call.on('data', (message: { status: string }) => {
    statuses.push(message.status)
    for (const waiter of waiters.splice(0)) waiter()
  })
  const ended = new Promise<grpc.StatusObject>(resolve => { call.on('status', resolve) })
  call.on('error', () => {})
  t.teardown(() => { call.cancel() })
  const next = async (count: number): Promise<string[]> => {
    while (statuses.length < count) await new Promise<void>(resolve => waiters.push(resolve))
    return statuses.slice()
  }
  return { statuses, next, ended, call }
}

t.test('Check answers for "", readiness, liveness and startup; NOT_FOUND for any other name', async t => {
  let dbUp = true
  const { client } = await serve(t, {}, app => {
    app.addReadyCheck('db', () => dbUp)
    app.addHealthCheck('loop', () => true)
  })
  t.equal(await check(client, ''), 'SERVING', '"" is readiness')
  t.equal(await check(client, 'readiness'), 'SERVING')
  t.equal(await check(client, 'liveness'), 'SERVING')
  t.equal(await check(client, 'startup'), 'SERVING')
  dbUp = false
  t.equal(await check(client, ''), 'NOT_SERVING', 'a failing readiness check: "" is not serving')
  t.equal(await check(client, 'readiness'), 'NOT_SERVING')
  t.equal(await check(client, 'liveness'), 'SERVING', 'liveness does not depend on readiness checks')
  for (const name of ['nope', 'ready', 'health', 'Readiness']) {
    const err = await check(client, name).then(() => undefined, (e: grpc.ServiceError) => e)
    t.equal(err?.code, grpc.status.NOT_FOUND, `${JSON.stringify(name)} is unknown: NOT_FOUND`)
    t.match(err?.details, /unknown service/)
  }
})

t.test('Check runs on-demand checks as a probe would, sharing a run in progress', async t => {
  let runs = 0
  const gate = deferred()
  const started = deferred<void>()
  const received = deferred<void>()
  const { app, client } = await serve(t, {}, app => {
    app.addReadyCheck('db', async () => {
      runs++
      started.resolve()
      return await gate.promise
    })
  }, impl => ({
    ...impl,
    // The handler joins the run before it returns: once it has, the run may end.
    Check: (call: any, callback: any) => { (impl.Check as grpc.handleUnaryCall<any, any>)(call, callback); received.resolve() }
  }))
  const probe = app.inject('/health/ready')
  await started.promise
  const answer = check(client, '')
  await received.promise
  gate.resolve(true)
  t.equal((await probe).statusCode, 200)
  t.equal(await answer, 'SERVING')
  t.equal(runs, 1, 'the probe and Check shared one run')
})

t.test('List gives every service with its status', async t => {
  const { client } = await serve(t, {}, app => {
    app.addReadyCheck('db', () => false)
    app.addHealthCheck('loop', () => true)
  })
  t.same(await list(client), { '': 'NOT_SERVING', readiness: 'NOT_SERVING', liveness: 'SERVING', startup: 'SERVING' })
})

t.test('Watch sends the current status at once, then each change as it happens', async t => {
  let db = true
  const { app, client } = await serve(t, {}, app => { app.addReadyCheck('db', () => db) })
  const ready = watch(t, client, '')
  const live = watch(t, client, 'liveness')
  t.same(await ready.next(1), ['SERVING'])
  t.same(await live.next(1), ['SERVING'])
  db = false
  await app.inject('/health/ready')
  t.same(await ready.next(2), ['SERVING', 'NOT_SERVING'], 'the failing run reached the stream')
  // Same status again: nothing sent.
  await app.inject('/health/ready')
  app.health.setReady(false, 'maintenance')
  db = true
  await app.inject('/health/ready')
  app.health.setReady(true)
  t.same(await ready.next(3), ['SERVING', 'NOT_SERVING', 'SERVING'], 'back when both the check and the vote pass, once')
  t.same(live.statuses, ['SERVING'], 'liveness did not change')
})

t.test('Watch of an unknown name: SERVICE_UNKNOWN, and the call stays open', async t => {
  const { app, client } = await serve(t, {}, app => { app.addReadyCheck('db', () => true) })
  const unknown = watch(t, client, 'nope')
  t.same(await unknown.next(1), ['SERVICE_UNKNOWN'])
  await app.inject('/health/ready')
  app.health.setReady(false)
  t.same(unknown.statuses, ['SERVICE_UNKNOWN'], 'nothing more: it is still unknown')
  unknown.call.cancel()
  t.equal((await unknown.ended).code, grpc.status.CANCELLED, 'open until the client cancels it')
})

t.test('during the shutdown delay readiness is NOT_SERVING; closing ends the streams', async t => {
  const { app, client } = await serve(t, {}, app => {
    app.addReadyCheck('db', () => true)
    app.addHealthCheck('loop', () => true)
  })
  const ready = watch(t, client, 'readiness')
  const live = watch(t, client, 'liveness')
  t.same(await ready.next(1), ['SERVING'])
  t.same(await live.next(1), ['SERVING'])
  const shutdown = app.health.shutdown({ delay: 60_000 })
  t.same(await ready.next(2), ['SERVING', 'NOT_SERVING'], 'the stream hears of the shutdown at once')
  t.equal(await check(client, ''), 'NOT_SERVING')
  t.equal(await check(client, 'liveness'), 'SERVING', 'liveness still passes while draining')
  t.same(await list(client), { '': 'NOT_SERVING', readiness: 'NOT_SERVING', liveness: 'SERVING', startup: 'SERVING' })
  await app.close()
  await shutdown
  t.equal((await ready.ended).code, grpc.status.OK, 'the app closed: the stream ends')
  t.equal((await live.ended).code, grpc.status.OK)
})

t.test('a Watch cancelled by the client stops following the app', async t => {
  const { app, client } = await serve(t, {}, app => { app.addReadyCheck('db', () => true) })
  const first = watch(t, client, '')
  t.same(await first.next(1), ['SERVING'])
  first.call.cancel()
  await first.ended
  // Changes after the cancellation reach no one, and nothing throws writing to the closed call.
  app.health.setReady(false)
  app.health.setReady(true)
  const second = watch(t, client, '')
  t.same(await second.next(1), ['SERVING'])
})

t.test('the definition is grpc.health.v1.Health: the paths and streaming of the official proto', async t => {
  const official = definition['grpc.health.v1.Health'] as grpc.ServiceDefinition
  for (const name of ['Check', 'List', 'Watch'] as const) {
    t.equal(healthDefinition[name].path, official[name].path)
    t.equal(healthDefinition[name].requestStream, official[name].requestStream)
    t.equal(healthDefinition[name].responseStream, official[name].responseStream)
    t.equal(healthDefinition[name].originalName, official[name].originalName)
  }
  // Our serialisers against proto-loader's: a request of ours reads the same, a response of theirs reads the same.
  t.same(official.Check.requestDeserialize(healthDefinition.Check.requestSerialize({ service: 'startup' })), { service: 'startup' })
  t.same(healthDefinition.Check.responseDeserialize(official.Check.responseSerialize({ status: 'NOT_SERVING' })), { status: 2 })
  t.same(healthDefinition.List.requestDeserialize(official.List.requestSerialize({})), {})
  t.same(healthDefinition.List.responseDeserialize(official.List.responseSerialize({ statuses: { a: { status: 'SERVING' } } })), { statuses: { a: { status: 1 } } })
})

t.test('healthService() needs an app with the plugin, and @grpc/grpc-js', async t => {
  t.throws(() => healthService(Fastify()), { code: 'FST_HEALTH_NOT_REGISTERED', message: /^fastify-health: fastify-health is not registered on this app/ })
  t.throws(() => healthService(null as unknown as FastifyInstance), { code: 'FST_HEALTH_INVALID_OPTION' })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  const previous = setPeerLoader(id => {
    const err = new Error(`Cannot find module '${id}'`) as NodeJS.ErrnoException
    err.code = 'MODULE_NOT_FOUND'
    throw err
  })
  t.teardown(() => { setPeerLoader(previous) })
  t.throws(() => healthService(app), {
    code: 'FST_HEALTH_MISSING_PEER',
    message: 'fastify-health: healthService() needs the optional peer dependency "@grpc/grpc-js", which is not installed; add it with `npm install @grpc/grpc-js`'
  })
})

t.test('a custom group is a service by its name: Check, List and Watch', async t => {
  let psp = true
  const { app, client } = await serve(t, { groups: { payments: {} } }, app => {
    app.addCheck('psp', () => psp, { groups: ['payments'] })
  })
  t.equal(await check(client, 'payments'), 'SERVING')
  t.same(await list(client), { '': 'SERVING', readiness: 'SERVING', liveness: 'SERVING', startup: 'SERVING', payments: 'SERVING' })
  const payments = watch(t, client, 'payments')
  t.same(await payments.next(1), ['SERVING'])
  psp = false
  await app.health.run('payments')
  t.same(await payments.next(2), ['SERVING', 'NOT_SERVING'])
  t.equal(await check(client, ''), 'SERVING', 'readiness does not include the custom group')
})

t.test('a Watch hears a check held back by its dependency (skipped), which is no status change', async t => {
  let db = true
  const { app, client } = await serve(t, { groups: { payments: {} } }, app => {
    app.addReadyCheck('db', () => db, { critical: false })
    app.addCheck('psp', () => true, { groups: ['payments'], dependsOn: ['db'] })
  })
  const payments = watch(t, client, 'payments')
  t.same(await payments.next(1), ['SERVING'])
  db = false
  await app.inject('/health/ready')
  await app.health.run('payments')
  t.same(await payments.next(2), ['SERVING', 'NOT_SERVING'], 'psp skipped: the group does not pass')
})
