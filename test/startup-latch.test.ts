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

t.test('once started, a per-check startup route answers from the latch too; a check added later answers for itself', async t => {
  const { app } = await buildApp(t)
  let calls = 0
  let ok = true
  app.addStartupCheck('migrations', () => { calls++; return ok })
  await app.ready()
  await app.health.whenStarted()
  const runs = calls
  ok = false
  const one = await app.inject('/health/started/migrations')
  t.equal(one.statusCode, 200, 'the latched result, not a new run')
  t.match(one.json(), { status: 'started', checks: { migrations: { status: 'pass' } } })
  t.same(Object.keys(one.json().checks), ['migrations'])
  t.equal(calls, runs, 'not run again')

  app.addStartupCheck('late', () => false)
  const late = await app.inject('/health/started/late')
  t.equal(late.statusCode, 503, 'a check registered after the latch closed has no latched result: it runs')
  t.match(late.json().checks, { late: { status: 'fail' } })
  t.equal((await app.inject('/health/started')).statusCode, 200, 'the app stays started')
})

t.test('once started, exclusions apply to the latched answer in every format', async t => {
  const { app } = await buildApp(t)
  app.addStartupCheck('s1', () => true)
  app.addStartupCheck('s2', () => true)
  await app.ready()
  await app.health.whenStarted()
  t.same(Object.keys((await app.inject('/health/started?exclude=s1')).json().checks), ['s2'])
  const ietf = await app.inject({ url: '/health/started?exclude=s1', headers: { accept: 'application/health+json' } })
  t.same(Object.keys(ietf.json().checks), ['s2'])
  t.equal((await app.inject('/health/started?exclude=s1&verbose')).body, '[+]s1 excluded: ok\n[+]s2 ok\nstartup check passed\n')
  t.same(Object.keys((await app.inject('/health/started')).json().checks), ['s1', 's2'], 'the latch itself keeps both')
})
