// The `watchdog` option is validated at registration: a clear FST_HEALTH_INVALID_OPTION for a bad port, host or
// stuckAfter, and unknown keys rejected with a suggestion. Without it, no worker thread is started.
import type { Worker } from 'node:worker_threads'
import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'
import { registerWith } from './helpers/register'
import { normaliseOptions } from '../lib/options'

t.test('bad watchdog options reject register() naming the option and what was expected', async t => {
  const cases: Array<[unknown, RegExp]> = [
    [true, /^fastify-health: option "watchdog" must be an object \{ port, host, stuckAfter \}, received boolean true$/],
    [null, /option "watchdog" must be an object \{ port, host, stuckAfter \}, received null/],
    [[9091], /option "watchdog" must be an object .*received an array/],
    [{}, /^fastify-health: option "watchdog.port" must be a port number from 0 to 65535 \(0: one the system picks\), received undefined$/],
    [{ port: '9091' }, /option "watchdog.port" .*received "9091"/],
    [{ port: 65536 }, /option "watchdog.port" .*received number 65536/],
    [{ port: -1 }, /option "watchdog.port" .*received number -1/],
    [{ port: 90.5 }, /option "watchdog.port" .*received number 90.5/],
    [{ port: 9091, host: '' }, /^fastify-health: option "watchdog.host" must be a non-empty string: an address or a host name, received ""$/],
    [{ port: 9091, host: 127 }, /option "watchdog.host" .*received number 127/],
    [{ port: 9091, stuckAfter: 0 }, /^fastify-health: option "watchdog.stuckAfter" must be a positive finite number of milliseconds, received number 0$/],
    [{ port: 9091, stuckAfter: '10s' }, /option "watchdog.stuckAfter" .*received "10s"/],
    [{ port: 9091, stuckAfter: 2 ** 31 }, /option "watchdog.stuckAfter" must be at most 2147483647 ms/],
    [{ port: 9091, stuckAfter: 99 }, /^fastify-health: option "watchdog.stuckAfter" must be at least 100 ms, received number 99$/],
    [{ port: 9091, stuckafter: 5000 }, /^fastify-health: option "watchdog" has an unknown key "stuckafter" \(did you mean "stuckAfter"\?\); known keys: port, host, stuckAfter$/],
    [{ port: 9091, hots: 'x' }, /option "watchdog" has an unknown key "hots" \(did you mean "host"\?\)/]
  ]
  for (const [watchdog, message] of cases) {
    const err = await registerWith(t, { watchdog })
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(watchdog))
  }
  t.match(await registerWith(t, { whatchdog: { port: 1 } }), { message: /unknown key "whatchdog" \(did you mean "watchdog"\?\)/ })
})

t.test('defaults: every interface, stuckAfter 10000; off without the option', async t => {
  t.same(normaliseOptions({ watchdog: { port: 9091 } }).watchdog, { port: 9091, host: undefined, stuckAfter: 10_000 })
  t.same(normaliseOptions({ watchdog: { port: 0, host: '::1', stuckAfter: 100 } }).watchdog, { port: 0, host: '::1', stuckAfter: 100 })
  t.equal(normaliseOptions({}).watchdog, null)

  let started = 0
  const count = (_worker: Worker): void => { started++ }
  process.on('worker', count)
  t.teardown(() => { process.off('worker', count) })
  const app = Fastify()
  await app.register(healthPlugin)
  await app.ready()
  await app.close()
  t.equal(started, 0, 'no worker thread without the option')
})
