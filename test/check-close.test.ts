import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'
import type { HealthCheckFn } from '../lib/types'
import { get } from './helpers/net'
import { captureLogs } from './helpers/logs'

function closable (onClose: () => void | Promise<void>): HealthCheckFn {
  const fn: HealthCheckFn = () => true
  fn.close = onClose
  return fn
}

t.test('close() of every check runs once when the app closes, even for a function registered under both kinds', async t => {
  const app = Fastify()
  await app.register(healthPlugin)
  const calls: string[] = []
  const shared = closable(() => { calls.push('shared') })
  app.addHealthCheck('shared', shared)
  app.addReadyCheck('shared', shared)
  app.addReadyCheck('shared-again', shared)
  app.addReadyCheck('async', closable(async () => {
    await new Promise(resolve => setImmediate(resolve))
    calls.push('async')
  }))
  app.addHealthCheck('plain', () => true)
  await app.ready()
  t.same(calls, [], 'not before closing')
  await app.close()
  t.same(calls.sort(), ['async', 'shared'], 'each once; app.close() waited for the async one')
})

t.test('a close() that throws or rejects is logged, not thrown, and the others still close', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  await app.register(healthPlugin)
  let closed = false
  app.addHealthCheck('throws', closable(() => { throw new Error('sync close failed') }))
  app.addReadyCheck('rejects', closable(async () => { throw new Error('async close failed') }))
  app.addReadyCheck('fine', closable(() => { closed = true }))
  await app.ready()
  await t.resolves(app.close(), 'app.close() does not fail')
  t.equal(closed, true)
  const errors = logs.lines.filter(line => line.msg === 'fastify-health: a check\'s close() failed')
  t.same(errors.map(line => line.err.message).sort(), ['async close failed', 'sync close failed'])
  t.ok(errors.every(line => line.level === 50))
})

t.test('close() runs after requests in flight have finished', async t => {
  const app = Fastify()
  await app.register(healthPlugin)
  const order: string[] = []
  app.addReadyCheck('db', closable(() => { order.push('close') }))
  let release!: () => void
  let started!: () => void
  const running = new Promise<void>(resolve => { started = resolve })
  app.get('/slow', async () => {
    started()
    await new Promise<void>(resolve => { release = resolve })
    order.push('response')
    return 'done'
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.listeningOrigin
  const pending = get(`${address}/slow`).then(res => res.body)
  await running
  const closed = app.close()
  setImmediate(() => release())
  t.equal(await pending, 'done')
  await closed
  t.same(order, ['response', 'close'])
})

t.test('a check that is in progress when the app closes is cancelled, not awaited', async t => {
  const app = Fastify()
  await app.register(healthPlugin, { timeout: 60000 })
  let aborted: unknown
  app.addReadyCheck('hangs', async ({ signal }) => await new Promise<boolean>((_resolve, reject) => {
    signal.addEventListener('abort', () => { aborted = signal.reason; reject(signal.reason) }, { once: true })
  }))
  await app.ready()
  const report = app.runReadyChecks()
  await app.close()
  t.match(await report, { status: 'not_ready', checks: { hangs: { status: 'error', error: 'cancelled: the server is closing' } } })
  t.equal((aborted as DOMException).name, 'AbortError')
})

t.test('a close getter that throws: app.close() resolves, the throw is logged, the other checks still close', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  await app.register(healthPlugin)
  const hostile: HealthCheckFn = () => true
  Object.defineProperty(hostile, 'close', { get () { throw new Error('close getter failed') } })
  app.addHealthCheck('hostile', hostile)
  let closed = false
  app.addReadyCheck('fine', closable(() => { closed = true }))
  await app.ready()
  await t.resolves(app.close(), 'app.close() does not fail')
  t.equal(closed, true)
  const errors = logs.lines.filter(line => line.msg === 'fastify-health: a check\'s close() failed')
  t.same(errors.map(line => [line.level, line.err.message]), [[50, 'close getter failed']])
})
