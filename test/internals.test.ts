import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { internals } from '../lib/internals'
import type { CheckResult } from '../lib/formats/schema'
import { buildApp } from './helpers/app'
import { fakeClock } from './helpers/clock'

// What integrations read of a registration: the registry of checks, the groups, and what they observe.

t.test('internals(app) gives the registration\'s registry and groups, in every descendant context', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addHealthCheck('db', () => true, { groups: ['payments'] })
  app.addCheck('stripe', () => true, { groups: ['payments'] })
  const found = internals(app)
  t.same(found.registry.states.map(s => s.name), ['db', 'stripe'])
  t.same([...found.groups.all].map(g => [g.name, g.kind]), [['health', 'health'], ['ready', 'ready'], ['startup', 'startup'], ['payments', null]])
  t.equal(found.groups.get('payments')?.states.length, 2)
  await app.register(async child => { t.equal(internals(child), found, 'a child context reads the same') })
})

t.test('internals(app) of an app without the plugin says so', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  t.throws(() => internals(app), { code: 'FST_HEALTH_NOT_REGISTERED', message: 'fastify-health: fastify-health is not registered on this app (register the plugin before using its integrations)' })
  await app.register(healthPlugin)
})

t.test('observation listeners hear every run, skipped evaluations included; change listeners each change once', async t => {
  const { app } = await buildApp(t)
  let ok = true
  app.addHealthCheck('db', () => ok)
  app.addReadyCheck('api', () => true, { dependsOn: ['db'] })
  const { registry } = internals(app)
  const observed: Array<[string, string]> = []
  const changed: Array<[string, string | null, string]> = []
  registry.onObservation((state, entry: CheckResult) => { observed.push([state.name, entry.status]) })
  registry.onChange(event => { changed.push([event.name, event.previous, event.status]) })
  await app.inject('/health/ready')
  ok = false
  await app.inject('/health/ready')
  t.same(observed, [['db', 'pass'], ['api', 'pass'], ['db', 'fail'], ['api', 'skipped']])
  t.same(changed, [['db', null, 'pass'], ['api', null, 'pass'], ['db', 'pass', 'fail']])
  t.equal(registry.byName('api')[0].status, 'skipped', 'a state\'s status reads skipped while a dependency keeps it from running')
  t.equal(registry.byName('nope').length, 0)
})

t.test('a background check tells when it runs next, back-off included', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('db', () => false, { interval: 1000, maxInterval: 4000 })
  app.addHealthCheck('cheap', () => true)
  const clock = fakeClock(t)
  const [db] = internals(app).registry.byName('db')
  const [cheap] = internals(app).registry.byName('cheap')
  t.equal(db.nextRunAt(), null, 'not scheduled before the app is ready')
  await app.ready()
  const start = performance.now()
  t.equal(db.nextRunAt(), start + 2000, 'the first run failed: the delay doubled')
  await clock.tickAsync(2000)
  t.equal(db.nextRunAt(), start + 2000 + 4000, 'and doubled again, up to maxInterval')
  t.equal(cheap.nextRunAt(), null, 'an on-demand check has no next run')
})
