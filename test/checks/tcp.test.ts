import { once } from 'node:events'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { performance } from 'node:perf_hooks'
import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { tcp } from '../../lib/checks/tcp'
import { freePort } from '../helpers/net'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })

/** A real TCP server on 127.0.0.1 that counts the connections it accepts. */
async function listen (t: Test): Promise<{ server: Server, port: number, connections: () => number }> {
  let count = 0
  const server = createServer(socket => {
    count++
    socket.on('error', () => {}).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    if (server.listening) {
      server.close()
      await once(server, 'close')
    }
  })
  return { server, port: (server.address() as AddressInfo).port, connections: () => count }
}

t.test('passes with the connect time when the port accepts a connection, and closes it', async t => {
  const { server, port, connections } = await listen(t)
  const before = performance.now()
  const outcome = await tcp({ host: '127.0.0.1', port })(context())
  const wall = performance.now() - before
  t.same(Object.keys(outcome).sort(), ['observedUnit', 'observedValue', 'status'])
  t.match(outcome, { status: 'pass', observedUnit: 'ms' })
  const ms = outcome.observedValue as number
  t.ok(ms > 0 && ms <= wall, `0 < ${ms} <= ${wall}`)
  t.equal(Math.round(ms * 1000) / 1000, ms, 'at most 3 decimals')
  t.match(await tcp({ host: 'localhost', port })(context()), { status: 'pass', observedValue: Number }, 'a host name is resolved')
  t.equal(connections(), 2)
  // The check destroyed its sockets: closing the server needs no closeAllConnections.
  server.close()
  await once(server, 'close')
  t.equal(connections(), 2, 'the server closed with no connection left open (no new one either)')
})

t.test('a refused connection fails with the system message as output and the time to the refusal', async t => {
  const port = await freePort()
  const outcome = await tcp({ host: '127.0.0.1', port })(context())
  t.same(Object.keys(outcome).sort(), ['observedUnit', 'observedValue', 'output', 'status'])
  t.match(outcome, { status: 'fail', output: `connect ECONNREFUSED 127.0.0.1:${port}`, observedValue: Number, observedUnit: 'ms' })
})

t.test('an unknown host rejects with the resolver message', async t => {
  await t.rejects(tcp({ host: 'no-such-host.invalid', port: 80 })(context()), { message: /no-such-host\.invalid/ })
})

t.test('honours the signal', async t => {
  const { port } = await listen(t)
  const reason = new DOMException('timed out after 10 ms', 'TimeoutError')

  const before = new AbortController()
  before.abort(reason)
  await t.rejects(tcp({ host: '127.0.0.1', port })({ signal: before.signal }), reason, 'an aborted signal connects nowhere')

  const during = new AbortController()
  const run = tcp({ host: '127.0.0.1', port })({ signal: during.signal })
  // The connection cannot have completed yet: connecting takes at least one turn of the event loop.
  during.abort(reason)
  await t.rejects(run, reason, 'aborting while connecting rejects with the reason')
})

t.test('validates its options at once', async t => {
  const bad: Array<[unknown, RegExp]> = [
    [undefined, /^fastify-health: tcp option "host" must be a non-empty string, received undefined/],
    ['db:5432', /^fastify-health: tcp options must be an object with the keys host, port, received "db:5432"$/],
    [{ host: 'db', port: 5432, timeout: 1 }, /tcp options has an unknown key "timeout"; known keys: host, port$/],
    [{ host: '', port: 5432 }, /^fastify-health: tcp option "host" must be a non-empty string, received ""$/],
    [{ host: 5432 }, /tcp option "host" must be a non-empty string, received number 5432$/],
    [{ host: 'db' }, /^fastify-health: tcp option "port" must be an integer from 1 to 65535, received undefined/],
    [{ host: 'db', port: 0 }, /tcp option "port" must be an integer from 1 to 65535, received number 0$/],
    [{ host: 'db', port: 65536 }, /tcp option "port" must be an integer from 1 to 65535, received number 65536$/],
    [{ host: 'db', port: 80.5 }, /tcp option "port" must be an integer from 1 to 65535/],
    [{ host: 'db', port: '5432' }, /tcp option "port" must be an integer from 1 to 65535, received "5432"$/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => tcp(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect(options))
  }
  t.type(tcp({ host: 'db', port: 65535 }), 'function')
})
