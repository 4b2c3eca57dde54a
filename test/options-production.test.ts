import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'

const bad: Array<[string, Record<string, unknown>, string]> = [
  // [description, options, option name the message must contain]
  ['gracefulShutdown: a string', { gracefulShutdown: 'yes' }, 'option "gracefulShutdown"'],
  ['gracefulShutdown: a number', { gracefulShutdown: 5000 }, 'option "gracefulShutdown"'],
  ['gracefulShutdown: null', { gracefulShutdown: null }, 'option "gracefulShutdown"'],
  ['gracefulShutdown: an array', { gracefulShutdown: ['SIGTERM'] }, 'option "gracefulShutdown"'],
  ['gracefulShutdown.signals: empty', { gracefulShutdown: { signals: [] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: a string', { gracefulShutdown: { signals: 'SIGTERM' } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: without SIG', { gracefulShutdown: { signals: ['TERM'] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: a number', { gracefulShutdown: { signals: [15] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: unknown signal', { gracefulShutdown: { signals: ['SIGFOO'] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: SIGKILL', { gracefulShutdown: { signals: ['SIGTERM', 'SIGKILL'] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.signals: SIGSTOP', { gracefulShutdown: { signals: ['SIGSTOP'] } }, 'option "gracefulShutdown.signals"'],
  ['gracefulShutdown.delay: negative', { gracefulShutdown: { delay: -1 } }, 'option "gracefulShutdown.delay"'],
  ['gracefulShutdown.delay: NaN', { gracefulShutdown: { delay: NaN } }, 'option "gracefulShutdown.delay"'],
  ['gracefulShutdown.delay: Infinity', { gracefulShutdown: { delay: Infinity } }, 'option "gracefulShutdown.delay"'],
  ['gracefulShutdown.delay: a string', { gracefulShutdown: { delay: '5000' } }, 'option "gracefulShutdown.delay"'],
  ['gracefulShutdown.delay: beyond setTimeout', { gracefulShutdown: { delay: 2 ** 31 } }, 'option "gracefulShutdown.delay"'],
  ['exposeDetails: a string', { exposeDetails: 'false' }, 'option "exposeDetails"'],
  ['exposeDetails: a number', { exposeDetails: 0 }, 'option "exposeDetails"'],
  ['exposeDetails: an object', { exposeDetails: {} }, 'option "exposeDetails"'],
  ['logLevel: unknown level', { logLevel: 'verbose' }, 'option "logLevel"'],
  ['logLevel: a number', { logLevel: 40 }, 'option "logLevel"'],
  ['onStatusChange: a string', { onStatusChange: 'log' }, 'option "onStatusChange"'],
  ['onStatusChange: an object', { onStatusChange: {} }, 'option "onStatusChange"'],
  ['openapi: a boolean', { openapi: false }, 'option "openapi"'],
  ['openapi.hide: a string', { openapi: { hide: 'yes' } }, 'option "openapi.hide"'],
  ['openapi.tags: a string', { openapi: { tags: 'health' } }, 'option "openapi.tags"'],
  ['openapi.tags: numbers', { openapi: { tags: [1] } }, 'option "openapi.tags"']
]

for (const [description, options, name] of bad) {
  t.test(description, async t => {
    const listeners = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }
    const app = Fastify()
    t.after(() => app.close())
    app.register(healthPlugin, options as never)
    const err = await app.ready().then(() => undefined, (e: unknown) => e) as NodeJS.ErrnoException | undefined
    t.ok(err, 'registration fails')
    t.equal(err?.code, 'FST_HEALTH_INVALID_OPTION')
    t.ok(err?.message.startsWith('fastify-health: '), String(err?.message))
    t.ok(err?.message.includes(name), `names ${name}`)
    t.same({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }, listeners, 'no signal listener left behind')
  })
}

t.test('valid production options', async t => {
  const cases: Array<Record<string, unknown>> = [
    { gracefulShutdown: false },
    { gracefulShutdown: true },
    { gracefulShutdown: {} },
    { gracefulShutdown: { signals: ['SIGTERM', 'SIGTERM', 'SIGHUP'], delay: 0 } },
    { gracefulShutdown: { delay: 2 ** 31 - 1 } },
    { exposeDetails: false, logLevel: 'silent', onStatusChange: () => {}, openapi: { hide: true, tags: [] } },
    { exposeDetails: async () => true, logLevel: 'trace', openapi: {} }
  ]
  for (const options of cases) {
    const before = process.listenerCount('SIGTERM')
    const app = Fastify()
    await app.register(healthPlugin, options)
    await app.ready()
    const gs = options.gracefulShutdown
    const expected = gs === false || gs === undefined ? 0 : 1
    t.equal(process.listenerCount('SIGTERM') - before, expected, `${JSON.stringify(options)}: ${expected} SIGTERM listener(s), duplicates ignored`)
    t.equal((await app.inject('/health')).statusCode, 200)
    await app.close()
    t.equal(process.listenerCount('SIGTERM'), before, 'removed on close')
  }
})

t.test('gracefulShutdown: true listens to SIGTERM and SIGINT', async t => {
  const before = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }
  const app = Fastify()
  await app.register(healthPlugin, { gracefulShutdown: true })
  t.same({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }, { SIGTERM: before.SIGTERM + 1, SIGINT: before.SIGINT + 1 })
  await app.close()
  t.same({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }, before)
})
