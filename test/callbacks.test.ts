import t from 'tap'
import { adopt, contain, logThrown, thenOf } from '../lib/callbacks'
import { buildApp } from './helpers/app'
import { deferred, settled, watchProcess } from './helpers/async'
import { fakeClock } from './helpers/clock'
import { captureLogs } from './helpers/logs'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import type { HealthCheckFn } from '../lib/types'

const hostile = (): object => ({
  get message (): string { throw new Error('getter secret') },
  get stack (): string { throw new Error('getter secret') },
  get name (): string { throw new Error('getter secret') }
})

t.test('an async onStatusChange that rejects: logged at error, no unhandled rejection, the change still counts', async t => {
  const seen = watchProcess(t)
  const events: string[] = []
  const { app, log } = await buildApp(t, {
    onStatusChange: async event => { events.push(`${event.name}:${event.status}`); throw new Error('webhook down') }
  })
  let ok = false
  app.addHealthCheck('db', () => ok)
  t.equal((await app.inject('/health')).statusCode, 503)
  const line = await waitFor(() => log.lines.find(l => l.msg === 'fastify-health: onStatusChange failed; the change is still applied'))
  t.equal(line.level, 50)
  t.equal(line.err.message, 'webhook down')
  ok = true
  t.equal((await app.inject('/health')).statusCode, 200)
  await app.inject('/health')
  t.same(events, ['db:fail', 'db:pass'], 'each change once: the rejection did not undo it')
  await settled(Promise.resolve())
  t.same(seen.rejections, [])
})

t.test('an async onStatusChange that rejects with a hostile value is logged safely', async t => {
  const seen = watchProcess(t)
  const { app, log } = await buildApp(t, { onStatusChange: () => Promise.reject(hostile()) })
  app.addHealthCheck('db', () => false)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 503)
  t.notMatch(res.body, /getter secret/)
  const line = await waitFor(() => log.lines.find(l => l.level === 50))
  t.equal(line.msg, 'fastify-health: onStatusChange failed; the change is still applied')
  t.equal(line.err.message, '[object Object]')
  t.notMatch(JSON.stringify(log.lines), /getter secret/)
  t.same(seen.rejections, [])
})

t.test('an onStatusChange that never settles is bounded by the timeout and logged', async t => {
  const { app, log } = await buildApp(t, { timeout: 250, onStatusChange: () => new Promise(() => {}) })
  app.addHealthCheck('db', () => false)
  await app.ready()
  const clock = fakeClock(t)
  t.equal((await app.inject('/health')).statusCode, 503, 'the probe does not wait for the listener')
  const message = 'fastify-health: onStatusChange did not settle within 250 ms; the change is still applied'
  await clock.tickAsync(249)
  t.notOk(log.lines.some(l => l.msg === message), 'not before the timeout')
  await clock.tickAsync(1)
  const line = log.lines.find(l => l.msg === message)
  t.equal(line?.level, 40)
  t.equal(clock.countTimers(), 0, 'no timer left behind')
})

t.test('an exposeDetails policy that never settles: no details after `timeout`, and a warning', async t => {
  const { app, log } = await buildApp(t, { timeout: 300, exposeDetails: () => new Promise<boolean>(() => {}) })
  app.addHealthCheck('db', () => true)
  await app.ready()
  const clock = fakeClock(t)
  let answered = false
  const pending = app.inject('/health').then(res => { answered = true; return res })
  await clock.tickAsync(299)
  t.notOk(answered, 'still deciding')
  await clock.tickAsync(1)
  const res = await pending
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json()), ['status', 'timestamp'])
  const line = log.lines.find(l => l.msg === 'fastify-health: exposeDetails did not settle within 300 ms; answering without details')
  t.equal(line?.level, 40)
  t.equal(clock.countTimers(), 0)
})

t.test('an exposeDetails policy that resolves late is ignored; a policy that fulfils with a thenable is followed', async t => {
  const gate = deferred<boolean>()
  let policy: () => unknown = () => gate.promise
  const { app } = await buildApp(t, { timeout: 50, exposeDetails: () => policy() as boolean })
  app.addHealthCheck('db', () => true)
  await app.ready()
  const clock = fakeClock(t)
  const pending = app.inject('/health')
  await clock.tickAsync(50)
  gate.resolve(true)
  t.same(Object.keys((await pending).json()), ['status', 'timestamp'])
  policy = async () => ({ then: (resolve: (v: unknown) => void) => resolve(Promise.resolve(true)) })
  t.ok('checks' in (await app.inject('/health')).json(), 'nested thenables are adopted')
})

t.test('hostile values thrown by the policy: no 500, no leak of the getter\'s message', async t => {
  const policies: Array<() => unknown> = [
    () => { throw hostile() },
    async () => { throw hostile() },
    () => ({ get then () { throw hostile() } }),
    () => new Proxy({}, { get () { throw hostile() } })
  ]
  for (const policy of policies) {
    const { app, log } = await buildApp(t, { exposeDetails: policy as () => boolean })
    app.addHealthCheck('db', () => false)
    const res = await app.inject('/health')
    t.equal(res.statusCode, 503, 'the real status')
    t.same(Object.keys(res.json()), ['status', 'timestamp'], 'no details')
    t.notMatch(res.body, /getter secret/)
    const line = log.lines.find(l => l.msg === 'fastify-health: exposeDetails failed; answering without details')
    t.equal(line?.level, 40)
    t.notMatch(JSON.stringify(log.lines), /getter secret/)
  }
})

t.test('a close() that never settles: app.close() resolves after closeTimeout and the hang is logged', async t => {
  const log = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: log.stream } })
  await app.register(healthPlugin, { closeTimeout: 1000 })
  const check = Object.assign(() => true, { close: () => new Promise<void>(() => {}) })
  app.addHealthCheck('db', check)
  await app.ready()
  const clock = fakeClock(t)
  let closed = false
  const closing = app.close().then(() => { closed = true })
  await clock.tickAsync(999)
  t.notOk(closed, 'waiting for close()')
  await clock.tickAsync(1)
  await closing
  t.ok(closed)
  const line = log.lines.find(l => l.msg === 'fastify-health: a check\'s close() did not settle within 1000 ms; closing goes on')
  t.equal(line?.level, 50)
})

t.test('a close() that throws or rejects hostile values: app.close() resolves, the failure is logged safely', async t => {
  const seen = watchProcess(t)
  const log = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: log.stream } })
  await app.register(healthPlugin)
  app.addHealthCheck('a', Object.assign(() => true, { close: () => { throw hostile() } }))
  app.addHealthCheck('b', Object.assign(() => true, { close: async () => { throw hostile() } }))
  app.addHealthCheck('c', Object.assign(() => true, { close: (() => ({ get then () { throw hostile() } })) as unknown as () => void }))
  await app.ready()
  await app.close()
  const lines = log.lines.filter(l => l.msg === 'fastify-health: a check\'s close() failed')
  t.equal(lines.length, 3)
  for (const line of lines) t.same([line.level, line.err.message], [50, '[object Object]'])
  t.notMatch(JSON.stringify(log.lines), /getter secret/)
  t.same(seen.rejections, [])
})

t.test('a thenable fulfilling with a promise of true passes; nested thenables are adopted', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('nested', (() => ({ then: (resolve: (v: unknown) => void) => resolve(Promise.resolve(true)) })) as unknown as HealthCheckFn)
  let depth = 5
  const chain = (): unknown => depth-- === 0 ? true : { then: (resolve: (v: unknown) => void) => resolve(chain()) }
  app.addHealthCheck('deep', chain as unknown as HealthCheckFn)
  app.addHealthCheck('object', (async () => ({ then: (resolve: (v: unknown) => void) => resolve({ status: 'warn', output: 'ok-ish' }) })) as unknown as HealthCheckFn)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.match(res.json().checks, { nested: { status: 'pass' }, deep: { status: 'pass' }, object: { status: 'warn', output: 'ok-ish' } })
})

t.test('a self-resolving thenable is an error, bounded; a then() that calls back twice counts once', async t => {
  const { app } = await buildApp(t)
  const self: { then: (resolve: (v: unknown) => void) => void } = { then: resolve => resolve(self) }
  let calls = 0
  app.addHealthCheck('self', (() => { calls++; return self }) as unknown as HealthCheckFn)
  app.addHealthCheck('twice', (() => ({
    then: (resolve: (v: unknown) => void, reject: (e: unknown) => void) => { resolve(true); reject(new Error('late')); throw new Error('later') }
  })) as unknown as HealthCheckFn)
  app.addHealthCheck('throwing-then', (() => ({ then () { throw new Error('then broke') } })) as unknown as HealthCheckFn)
  const res = await app.inject('/health')
  t.equal(calls, 1)
  t.match(res.json().checks, {
    self: { status: 'error', error: 'thenables nested more than 32 deep' },
    twice: { status: 'pass' },
    'throwing-then': { status: 'error', error: 'then broke' }
  })
})

t.test('thenOf, adopt and contain directly', async t => {
  t.equal(typeof thenOf(() => {}), 'symbol', 'a function without then is not thenable')
  const fnThenable = Object.assign(() => {}, { then: (resolve: (v: unknown) => void) => resolve(1) })
  t.equal(typeof thenOf(fnThenable), 'function', 'a function with then is thenable')

  const getterThen = { get then () { throw new Error('no then') } }
  const results: unknown[] = []
  adopt({}, (resolve) => { resolve(getterThen) }, v => results.push(['value', v]), e => results.push(['error', (e as Error).message]))
  t.same(results, [['error', 'no then']], 'a fulfilment whose then getter throws is an error')

  t.same(contain(() => 7, undefined, 10), { outcome: 'value', value: 7 }, 'sync value, no promise')
  t.same(contain(() => getterThen, undefined, 10), { outcome: 'threw', error: new Error('no then') })
  const err = new Error('x')
  t.same(await contain(async () => { throw err }, undefined, 10), { outcome: 'threw', error: err })
  // A timeout beyond what setTimeout can take is capped rather than turned into 1 ms.
  const gate = deferred<number>()
  const pending = contain(() => gate.promise, undefined, Number.MAX_SAFE_INTEGER)
  await settled(Promise.resolve())
  gate.resolve(3)
  t.same(await pending, { outcome: 'value', value: 3 }, 'not timed out at once')
})

t.test('logThrown gives up quietly when even the safe line cannot be written', async t => {
  let calls = 0
  const log = { error () { calls++; throw new Error('logger broke') } }
  t.doesNotThrow(() => { logThrown(log as never, 'error', new Error('x'), 'msg') })
  t.equal(calls, 2, 'tried the value, then the safe text')
})

/** Waits for a log line written after a promise settles, a turn of the event loop at a time (no sleeping). */
async function waitFor<T> (find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find()
    if (found !== undefined) return found
    await new Promise(resolve => setImmediate(resolve))
  }
  throw new Error('never happened')
}
