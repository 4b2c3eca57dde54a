import t from 'tap'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

// The formats, the page and the history over the registry's own features: a check skipped because a check it
// depends on fails, and custom groups.

t.test('a skipped check in every format, on the page and in its history', async t => {
  const { app } = await buildApp(t, { statusPage: true })
  let dbOk = true
  app.addReadyCheck('db', () => dbOk)
  app.addReadyCheck('search', () => true, { dependsOn: ['db'] })
  await app.ready()
  const clock = fakeClock(t)
  const start = Date.now()
  await app.inject('/health/ready')
  await clock.tickAsync(60_000)
  dbOk = false
  const plain = (await app.inject('/health/ready')).json()
  t.match(plain.checks.search, { status: 'skipped', error: 'skipped: depends on db (fail)' }, 'the registry skipped it')

  const mp = (await app.inject('/health/ready?format=microprofile')).json()
  t.same(mp.checks.map((c: { name: string, status: string }) => [c.name, c.status]), [['db', 'DOWN'], ['search', 'DOWN']])
  t.equal(mp.checks[1].data.error, 'skipped: depends on db (fail)')
  const act = (await app.inject('/health/ready?format=actuator')).json()
  t.equal(act.status, 'DOWN')
  t.same([act.components.db.status, act.components.search.status], ['DOWN', 'UNKNOWN'])
  const ui = (await app.inject('/health/ready?format=healthchecks-ui')).json()
  t.match(ui.entries.search, { status: 'Unhealthy', description: 'skipped: depends on db (fail)' })
  const page = (await app.inject('/health/ready?format=html')).body
  t.match(page, /data-name="search" data-status="skipped"><td class="name">search<\/td><td><span class="badge s-skipped">skipped<\/span>/)

  await clock.tickAsync(60_000)
  dbOk = true
  await app.inject('/health/ready')
  await clock.tickAsync(60_000)
  const history = (await app.inject('/health/ready/search?history')).json()
  t.same(history.changes, [
    { status: 'pass', previous: null, timestamp: start / 1000 },
    { status: 'skipped', previous: 'pass', timestamp: (start + 60_000) / 1000, error: 'skipped: depends on db (fail)' },
    { status: 'pass', previous: 'skipped', timestamp: (start + 120_000) / 1000 }
  ], 'skipped and back, though its effective status never changed')
  t.same(history.uptime, { '1h': 2 / 3, '24h': 2 / 3 }, 'skipped counts as not passing')
  t.equal(app.health.history('db')?.changes.length, 3)
})

t.test('custom groups: the formats on their routes, tags from every group of a check, ?history on their per-check routes', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addCheck('stripe', () => ({ status: 'warn', output: 'slow' }), { groups: ['payments'] })
  app.addReadyCheck('db', () => true, { groups: ['payments'] })
  const ui = await app.inject('/health/group/payments?format=healthchecks-ui')
  t.equal(ui.statusCode, 200)
  t.same(ui.json().entries.stripe.tags, ['payments'])
  t.same(ui.json().entries.db.tags, ['ready', 'payments'], 'a check in several groups is tagged with each')
  t.equal(ui.json().status, 'Degraded')
  const act = (await app.inject('/health/group/payments?format=actuator')).json()
  t.same(act, { status: 'UP', components: { stripe: { status: 'UP', details: act.components.stripe.details }, db: { status: 'UP', details: act.components.db.details } } })
  const history = (await app.inject('/health/group/payments/stripe?history')).json()
  t.equal(history.status, 'warn')
  t.equal(history.changes.length, 1)
  t.same(history, app.health.history('stripe'))
  t.same((await app.inject('/health/ready/db?history')).json(), (await app.inject('/health/group/payments/db?history')).json(), 'one check, one history, whichever group asks')
})
