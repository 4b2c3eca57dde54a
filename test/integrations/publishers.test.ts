import t from 'tap'
import type { PublishContext, PublishedReport } from '../../lib/types'
import { buildApp } from '../helpers/app'
import { deferred, watchProcess } from '../helpers/async'
import { fakeClock } from '../helpers/clock'

interface Call { report: PublishedReport, context: PublishContext, at: number }

/** A publisher that records its calls, with what it answers decided by `answer`. */
function recorder (answer: (call: Call) => unknown = () => undefined): { calls: Call[], publish: (report: PublishedReport, context: PublishContext) => unknown } {
  const calls: Call[] = []
  return {
    calls,
    publish (report, context) {
      const call = { report, context, at: Date.now() }
      calls.push(call)
      return answer(call)
    }
  }
}

t.test('publishes when the app is ready, then every interval, with the group\'s report', async t => {
  const { app } = await buildApp(t)
  let db = true
  app.addReadyCheck('db', () => db)
  const { calls, publish } = recorder()
  app.health.addPublisher(publish, { interval: 1000 })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  await clock.tickAsync(0)
  t.equal(calls.length, 1, 'once at ready')
  t.match(calls[0], { report: { status: 'ready', checks: { db: { status: 'pass' } } }, context: { final: false, group: 'ready', passing: true, previous: undefined } })
  t.type(calls[0].context.signal, AbortSignal)
  db = false
  await clock.tickAsync(999)
  t.equal(calls.length, 1)
  await clock.tickAsync(1)
  t.equal(calls.length, 2, 'again after interval')
  t.match(calls[1], { report: { status: 'not_ready' }, context: { passing: false, previous: calls[0].report } })
  await clock.tickAsync(2000)
  t.same(calls.map(call => call.at - start), [0, 1000, 2000, 3000])
})

t.test('group picks the report: health, ready or startup; unknown groups are rejected', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('loop', () => true)
  const health = recorder()
  const startup = recorder()
  app.health.addPublisher(health.publish, { interval: 1000, group: 'health' })
  app.health.addPublisher(startup.publish, { interval: 1000, group: 'startup' })
  await app.ready()
  await new Promise(resolve => setImmediate(resolve))
  t.match(health.calls[0].report, { status: 'healthy', checks: { loop: { status: 'pass' } } })
  t.match(startup.calls[0].report, { status: 'started' })
  t.throws(() => { app.health.addPublisher(() => {}, { interval: 1000, group: 'db' }) },
    { code: 'FST_HEALTH_INVALID_OPTION', message: 'fastify-health: app.health.addPublisher() option "group" must be one of "health", "ready", "startup", received "db"' })
})

t.test('bad arguments are rejected at once, naming the option', async t => {
  const { app } = await buildApp(t)
  const add = (publish: unknown, options: unknown): void => { app.health.addPublisher(publish as any, options as any) }
  t.throws(() => { add('nope', { interval: 1 }) }, { code: 'FST_HEALTH_INVALID_OPTION', message: /argument "publish" must be a function/ })
  t.throws(() => { add(() => {}, undefined) }, { message: /options must be an object \{ interval, group\?, timeout\?, onlyOnChange\? \}/ })
  t.throws(() => { add(() => {}, [1]) }, { message: /options must be an object/ })
  t.throws(() => { add(() => {}, {}) }, { message: /option "interval" must be a positive finite number of milliseconds, received undefined/ })
  t.throws(() => { add(() => {}, { interval: 2 ** 31 }) }, { message: /option "interval" must be at most 2147483647 ms/ })
  t.throws(() => { add(() => {}, { interval: 1, timeout: 0 }) }, { message: /option "timeout" must be a positive finite number/ })
  t.throws(() => { add(() => {}, { interval: 1, onlyOnChange: 'yes' }) }, { message: /option "onlyOnChange" must be a boolean/ })
  t.throws(() => { add(() => {}, { interval: 1, intervall: 2 }) }, { message: /unknown key "intervall" \(did you mean "interval"\?\)/ })
  t.throws(() => { add(() => {}, { interval: 1, group: 7 }) }, { message: /option "group" must be one of/ })
})

t.test('onlyOnChange publishes only when a status differs from the last publish; the final one always', async t => {
  const { app } = await buildApp(t)
  let db = true
  app.addReadyCheck('db', () => db)
  app.addReadyCheck('cache', () => true, { critical: false })
  const { calls, publish } = recorder()
  app.health.addPublisher(publish, { interval: 1000, onlyOnChange: true })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(3000)
  t.equal(calls.length, 1, 'nothing changed in three intervals: one publish')
  db = false
  await clock.tickAsync(1000)
  t.equal(calls.length, 2, 'db failed: published')
  t.equal(calls[1].context.previous, calls[0].report)
  await clock.tickAsync(2000)
  t.equal(calls.length, 2)
  await app.close()
  t.equal(calls.length, 3, 'the final publish is sent though nothing else changed')
  t.match(calls[2], { context: { final: true }, report: { status: 'not_ready', checks: { shutdown: { status: 'fail' } } } })
})

t.test('the final publish on close carries final: true, after a publish in progress ends', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => true)
  const gate = deferred<void>()
  let first = true
  const { calls, publish } = recorder(() => {
    if (!first) return undefined
    first = false
    return gate.promise
  })
  app.health.addPublisher(publish, { interval: 1000 })
  await app.ready()
  await new Promise(resolve => setImmediate(resolve))
  t.equal(calls.length, 1)
  const closing = app.close()
  await new Promise(resolve => setImmediate(resolve))
  t.equal(calls.length, 1, 'the final publish waits for the one in progress')
  gate.resolve()
  await closing
  t.equal(calls.length, 2)
  t.equal(calls[1].context.final, true)
  t.equal(calls[1].context.previous, calls[0].report)
  t.throws(() => { app.health.addPublisher(() => {}, { interval: 1000 }) }, { code: 'FST_HEALTH_INVALID_OPTION', message: /called before the app closes/ })
})

t.test('a publisher added after ready starts at once; one never ready publishes only its final', async t => {
  const { app } = await buildApp(t)
  const late = recorder()
  await app.ready()
  app.health.addPublisher(late.publish, { interval: 1000, group: 'health' })
  await new Promise(resolve => setImmediate(resolve))
  t.equal(late.calls.length, 1)
  await app.close()
  t.same(late.calls.map(call => call.context.final), [false, true])

  const { app: unready } = await buildApp(t)
  const never = recorder()
  unready.health.addPublisher(never.publish, { interval: 1000, group: 'health' })
  await unready.close()
  t.same(never.calls.map(call => call.context.final), [true])
})

t.test('a publish that does not settle within timeout is aborted, logged, and backs off', async t => {
  const { app, log } = await buildApp(t)
  const seen = watchProcess(t)
  const signals: AbortSignal[] = []
  const { calls, publish } = recorder(({ context }) => {
    signals.push(context.signal)
    return new Promise(() => {})
  })
  app.health.addPublisher(publish, { interval: 1000, timeout: 300, group: 'health' })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  await clock.tickAsync(299)
  t.equal(signals[0].aborted, false)
  await clock.tickAsync(1)
  t.equal(signals[0].aborted, true, 'aborted at its timeout')
  t.equal((signals[0].reason as DOMException).name, 'TimeoutError')
  t.match(log.lines.find(line => /did not settle/.test(line.msg)), { level: 40, msg: 'fastify-health: publisher 1 (health) did not settle within 300 ms; next try in 2000 ms' })
  await clock.tickAsync(10_000)
  t.same(calls.map(call => call.at - start), [0, 2000, 6000], 'the delay doubles from each failed start')
  // Closing waits for the publish in progress (bounded by its timeout) and the final one (bounded too).
  const closing = app.close()
  await clock.tickAsync(600)
  await closing
  t.equal(calls.length, 4)
  t.equal(calls[3].context.final, true)
  t.same(seen.rejections, [])
})

t.test('a failing publisher backs off, doubling up to 10 × interval; a success restores the interval', async t => {
  const { app, log } = await buildApp(t)
  const seen = watchProcess(t)
  let failing = true
  let n = 0
  // Sync throws, rejections and a hostile thenable: all contained the same way.
  const { calls, publish } = recorder(() => {
    if (!failing) return undefined
    n++
    if (n % 3 === 1) throw new Error('push refused')
    if (n % 3 === 2) return Promise.reject(new Error('push rejected'))
    return { get then () { throw new Error('hostile then') } }
  })
  app.health.addPublisher(publish, { interval: 100, group: 'health' })
  const clock = fakeClock(t)
  const start = Date.now()
  await app.ready()
  await clock.tickAsync(200 + 400 + 800 + 1000 + 1000 + 1000)
  t.same(calls.map(call => call.at - start), [0, 200, 600, 1400, 2400, 3400, 4400], 'doubling: 200, 400, 800, then capped at 1000')
  failing = false
  await clock.tickAsync(1000 + 300)
  t.same(calls.slice(7).map(call => call.at - start), [5400, 5500, 5600, 5700], 'after a success: every 100 ms again')
  const failures = log.lines.filter(line => /publisher 1 \(health\) failed/.test(line.msg))
  t.equal(failures.length, 7)
  t.match(failures[0], { level: 40, err: { message: 'push refused' }, msg: 'fastify-health: publisher 1 (health) failed; next try in 200 ms' })
  t.match(failures[1], { err: { message: 'push rejected' } })
  t.match(failures[2], { err: { message: 'hostile then' } })
  t.same(seen.rejections, [], 'no unhandled rejection')
})

t.test('a final publish that fails is logged as such', async t => {
  const { app, log } = await buildApp(t)
  app.health.addPublisher(() => { throw new Error('gone') }, { interval: 1000, group: 'health' })
  await app.close()
  t.match(log.lines.find(line => /failed/.test(line.msg)), { msg: 'fastify-health: publisher 1 (health) failed; it was the final publish' })
})

t.test('a publisher shares an on-demand run with a probe in flight, and never delays a probe', async t => {
  const { app } = await buildApp(t)
  let runs = 0
  const gate = deferred()
  app.addReadyCheck('db', async () => {
    runs++
    return await gate.promise
  })
  const hanging = recorder(() => new Promise(() => {}))
  const { calls, publish } = recorder()
  // Its timeout bounds the app's close in this test (real time: 20 ms).
  app.health.addPublisher(hanging.publish, { interval: 1000, group: 'health', timeout: 20 })
  app.health.addPublisher(publish, { interval: 1000 })
  await app.ready()
  // The publisher's tick started the run; the probe joins it.
  t.equal(runs, 1)
  const probe = app.inject('/health/ready')
  gate.resolve(true)
  t.equal((await probe).statusCode, 200)
  await new Promise(resolve => setImmediate(resolve))
  t.equal(calls.length, 1)
  t.equal(runs, 1, 'one run for the publisher and the probe')
  t.equal(hanging.calls.length, 1, 'a hanging publisher is in progress; the probe was answered all the same')
})

t.test('background results are read as they are: publishing runs no background check', async t => {
  const { app } = await buildApp(t)
  let runs = 0
  app.addReadyCheck('db', () => { runs++; return true }, { interval: 10_000 })
  const { calls, publish } = recorder()
  app.health.addPublisher(publish, { interval: 1000 })
  const clock = fakeClock(t)
  await app.ready()
  await clock.tickAsync(5000)
  t.equal(calls.length, 6)
  t.equal(runs, 1, 'only the scheduler ran the check')
})

t.test('a publisher of a custom group gets that group\'s report', async t => {
  const { app } = await buildApp(t, { groups: { payments: {} } })
  app.addCheck('psp', () => false, { groups: ['payments'] })
  const { calls, publish } = recorder()
  app.health.addPublisher(publish, { interval: 1000, group: 'payments' })
  await app.ready()
  await new Promise(resolve => setImmediate(resolve))
  t.match(calls[0], { context: { group: 'payments', passing: false }, report: { checks: { psp: { status: 'fail' } } } })
})
