import { once } from 'node:events'
import { connect, type AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'

t.test('readiness is not_ready from the moment app.close() begins (return503OnClosing: false)', async t => {
  const app = Fastify({ return503OnClosing: false })
  await app.register(healthPlugin)
  app.addReadyCheck('database', () => true)
  app.addHealthCheck('loop', () => true)

  let slowStarted!: () => void
  const slowRunning = new Promise<void>(resolve => { slowStarted = resolve })
  let releaseSlow!: () => void
  const slowReleased = new Promise<void>(resolve => { releaseSlow = resolve })
  app.get('/slow', async () => {
    slowStarted()
    await slowReleased
    return { slow: true }
  })
  // Registered after the plugin, so it runs after the plugin's own preClose hook.
  let closeBegan!: () => void
  const closing = new Promise<void>(resolve => { closeBegan = resolve })
  app.addHook('preClose', (done) => { closeBegan(); done() })
  let readyArrived!: () => void
  const readyReceived = new Promise<void>(resolve => { readyArrived = resolve })
  app.addHook('onRequest', async (request) => { if (request.url === '/health/ready') readyArrived() })

  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'ready before closing')

  // One keep-alive connection: /slow holds it busy, so closing the server cannot end it, and a request written on it
  // after close() began still reaches the router (which answers it normally, since return503OnClosing is false).
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { received += chunk })
  socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n')
  await slowRunning

  const closed = app.close()
  await closing
  t.match(await app.runReadyChecks(), { status: 'not_ready', checks: { shutdown: { status: 'fail', error: 'the server is shutting down' } } })
  socket.write('GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  await readyReceived
  releaseSlow()
  await once(socket, 'end')
  await closed

  const answers = received.split(/(?=HTTP\/1\.1 )/)
  t.equal(answers.length, 2, 'two responses on the connection')
  t.match(answers[0], /^HTTP\/1\.1 200 /)
  t.match(answers[0], /\{"slow":true\}/, 'the request in flight finished normally')
  t.match(answers[1], /^HTTP\/1\.1 503 /, 'readiness answers 503 while closing')
  t.match(answers[1], /cache-control: no-store/i)
  const body = JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4))
  t.equal(body.status, 'not_ready')
  t.same(Object.keys(body.checks), ['shutdown'], 'the checks are not run, the shutdown entry explains why')
  t.equal(body.checks.shutdown.error, 'the server is shutting down')
})

t.test('liveness keeps running its checks while the app closes', async t => {
  const app = Fastify()
  await app.register(healthPlugin)
  app.addHealthCheck('loop', () => true)
  let during: unknown
  app.addHook('preClose', async () => { during = await app.runHealthChecks() })
  await app.ready()
  await app.close()
  t.match(during, { status: 'healthy', checks: { loop: { status: 'pass' } } })
})
