import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'
import { captureLogs, statusLines } from './helpers/logs'

t.test('probe requests write no request log lines by default; other routes still do', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin)
  app.addHealthCheck('loop', () => true)
  app.addReadyCheck('db', async () => true)
  app.get('/other', async () => 'ok')

  for (const url of ['/health', '/health/ready']) {
    t.equal((await app.inject(url)).statusCode, 200)
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200)
  }
  await app.inject('/other')
  const requestLines = logs.lines.filter(line => line.req !== undefined || line.res !== undefined)
  t.same(requestLines.map(line => line.msg), ['incoming request', 'request completed'], 'only /other was logged')
  t.equal(requestLines[0].req.url, '/other')
})

t.test('logLevel: "info" brings the probe request lines back', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin, { logLevel: 'info' })
  await app.inject('/health')
  await app.inject('/health/ready')
  const urls = logs.lines.filter(line => line.msg === 'incoming request').map(line => line.req.url)
  t.same(urls, ['/health', '/health/ready'])
})

t.test('probe routes still log errors at the default level', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin, { exposeDetails: () => { throw new Error('policy broke') } })
  await app.inject('/health')
  const warning = logs.lines.find(line => line.msg === 'fastify-health: exposeDetails failed; answering without details')
  t.equal(warning?.level, 40, 'the policy warning goes through the probe route\'s logger')
  t.equal(warning?.err?.message, 'policy broke')
})

t.test('each change of a check\'s status is logged once: warn when it leaves pass, info when it comes back', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin)
  let state: boolean | 'throw' = true
  app.addReadyCheck('database', () => {
    if (state === 'throw') throw new Error('connection refused')
    return state
  })
  app.addHealthCheck('loop', async () => true)

  await app.inject('/health/ready')
  await app.inject('/health')
  t.same(statusLines(logs.lines), [], 'a first run that passes is not news')

  state = false
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/health/ready')).statusCode, 503)
  let lines = statusLines(logs.lines)
  t.equal(lines.length, 1, 'a check that keeps failing logs once')
  t.equal(lines[0].level, 40, 'warn')
  t.equal(lines[0].msg, 'fastify-health: ready check "database" failed')
  t.match(lines[0].healthCheck, { name: 'database', kind: 'ready', previous: 'pass', status: 'fail', critical: true, duration: Number, timestamp: Number })
  t.notOk('error' in lines[0].healthCheck)

  state = 'throw'
  await app.inject('/health/ready')
  await app.inject('/health/ready')
  lines = statusLines(logs.lines)
  t.equal(lines.length, 2, 'fail -> error is a change, logged once')
  t.equal(lines[1].level, 40)
  t.equal(lines[1].msg, 'fastify-health: ready check "database" errored: connection refused')
  t.match(lines[1].healthCheck, { name: 'database', kind: 'ready', previous: 'fail', status: 'error', error: 'connection refused' })

  state = true
  await app.inject('/health/ready')
  await app.inject('/health/ready')
  lines = statusLines(logs.lines)
  t.equal(lines.length, 3)
  t.equal(lines[2].level, 30, 'info when it passes again')
  t.equal(lines[2].msg, 'fastify-health: ready check "database" passes again')
  t.match(lines[2].healthCheck, { name: 'database', kind: 'ready', previous: 'error', status: 'pass' })
})

t.test('a check that fails on its first run is logged at warn with previous null', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin)
  app.addHealthCheck('disk', async () => false, { critical: false })
  t.equal((await app.inject('/health')).statusCode, 200, 'non-critical')
  await app.inject('/health')
  const lines = statusLines(logs.lines)
  t.equal(lines.length, 1)
  t.equal(lines[0].level, 40)
  t.match(lines[0].healthCheck, { name: 'disk', kind: 'health', previous: null, status: 'fail', critical: false })
})

t.test('status changes are logged through the app\'s logger, not the probe request\'s (logLevel does not hide them)', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin, { logLevel: 'silent' })
  let ok = false
  app.addReadyCheck('db', () => ok)
  await app.inject('/health/ready')
  ok = true
  await app.inject('/health/ready')
  const lines = statusLines(logs.lines)
  t.same(lines.map(line => line.level), [40, 30])
  t.equal(lines.every(line => line.reqId === undefined), true, 'not bound to a request')
})

t.test('a change to warn, fail or error reads as a verb: warned, failed, errored', async t => {
  const logs = captureLogs()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  t.after(() => app.close())
  await app.register(healthPlugin)
  let outcome: unknown = { status: 'warn', output: '91% full' }
  app.addHealthCheck('disk', () => {
    if (outcome instanceof Error) throw outcome
    return outcome as boolean
  })
  await app.inject('/health')
  outcome = false
  await app.inject('/health')
  outcome = new Error('EIO')
  await app.inject('/health')
  t.same(statusLines(logs.lines).map(line => line.msg), [
    'fastify-health: health check "disk" warned',
    'fastify-health: health check "disk" failed',
    'fastify-health: health check "disk" errored: EIO'
  ])
})
