import t from 'tap'
import { buildApp } from './helpers/app'

t.test('once started, the startup probe answers 200 started without running its checks again, in every format', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let ok = true
  app.addStartupCheck('migrations', () => { calls++; return ok })
  await app.ready()
  await app.health.whenStarted()
  const runs = calls
  ok = false
  for (const url of ['/health/started', '/health/started?verbose', '/health/started?exclude=migrations']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
  }
  t.equal((await app.inject('/health/started')).json().status, 'started')
  t.match((await app.inject('/health/started?verbose')).body, /startup check passed\n$/)
  const ietf = await app.inject({ url: '/health/started', headers: { accept: 'application/health+json' } })
  t.equal(ietf.statusCode, 200)
  t.equal(ietf.json().status, 'pass')
  t.equal(calls, runs, 'the latch holds: no run after the app started')
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'readiness is not held back by the startup check either')
})
