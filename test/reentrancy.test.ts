import t from 'tap'
import { buildApp } from './helpers/app'

t.test('a check that runs its own kind synchronously gets an error instead of recursing', async t => {
  const { app } = await buildApp(t)
  let inner: Promise<unknown> | undefined
  app.addHealthCheck('recursive', () => {
    inner = app.runHealthChecks()
    return true
  })
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200, 'the outer run completes')
  await t.rejects(inner as Promise<unknown>, {
    code: 'FST_HEALTH_REENTRANT_RUN',
    message: 'fastify-health: a health check asked for a run of the health checks while that run was starting'
  })
})

t.test('a check that awaits its own kind is reported as an error, and the next run works', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  app.addReadyCheck('recursive', async () => {
    calls++
    await app.runReadyChecks()
    return true
  })
  const res = await app.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.match(res.json().checks.recursive, { status: 'error', error: /asked for a run of the ready checks while that run was starting/ })
  t.equal(calls, 1, 'the check ran once, not recursively')
  t.equal((await app.inject('/health/ready')).statusCode, 503, 'a later run starts normally')
  t.equal(calls, 2)
})

t.test('a check may run the other kind', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('base', () => true)
  app.addHealthCheck('uses-ready', async () => (await app.runReadyChecks()).status === 'ready')
  t.equal((await app.inject('/health')).json().checks['uses-ready'].status, 'pass')
})
