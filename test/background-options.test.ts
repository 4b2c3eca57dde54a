import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import type { HealthPluginOptions } from '../lib/types'
import { buildApp } from './helpers/app'

// interval, staleAfter, failureThreshold, successThreshold and maxInterval are checked where they are given, and a
// mistake names the plugin, the option (and the check) and what was expected.

t.test('plugin options: interval and the thresholds', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ interval: 0 }, /^fastify-health: option "interval" must be a positive finite number of milliseconds, received number 0$/],
    [{ interval: '5s' }, /option "interval" must be a positive finite number of milliseconds, received "5s"/],
    [{ interval: 2 ** 31 }, /option "interval" must be at most 2147483647 ms, received number 2147483648/],
    [{ failureThreshold: 1.5 }, /^fastify-health: option "failureThreshold" must be a positive integer, received number 1.5$/],
    [{ failureThreshold: 0 }, /option "failureThreshold" must be a positive integer, received number 0/],
    [{ successThreshold: '2' }, /option "successThreshold" must be a positive integer, received "2"/],
    [{ successThreshold: Infinity }, /option "successThreshold" must be a positive integer, received number Infinity/],
    [{ intervall: 1000 }, /unknown key "intervall" \(did you mean "interval"\?\)/],
    [{ failurethreshold: 2 }, /unknown key "failurethreshold" \(did you mean "failureThreshold"\?\)/],
    // staleAfter and maxInterval belong to checks.
    [{ staleAfter: 1000 }, /unknown key "staleAfter"/]
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    t.after(() => app.close())
    const err = await app.register(healthPlugin, options as HealthPluginOptions).then(() => undefined, (e: unknown) => e)
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
})

t.test('check options: interval, staleAfter, maxInterval and the thresholds', async t => {
  const { app } = await buildApp(t)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ interval: -5 }, /^fastify-health: addHealthCheck\("db"\) option "interval" must be a positive finite number of milliseconds, received number -5$/],
    [{ staleAfter: 5000 }, /addHealthCheck\("db"\) option "staleAfter" must be set only together with "interval" \(on the check or the plugin\), received number 5000/],
    [{ maxInterval: 5000 }, /addHealthCheck\("db"\) option "maxInterval" must be set only together with "interval"/],
    [{ interval: 1000, maxInterval: 500 }, /addHealthCheck\("db"\) option "maxInterval" must be at least "interval" \(1000 ms\), received number 500/],
    [{ interval: 1000, staleAfter: 0 }, /option "staleAfter" must be a positive finite number of milliseconds, received number 0/],
    [{ interval: 1000, maxInterval: 2 ** 31 }, /option "maxInterval" must be at most 2147483647 ms/],
    [{ failureThreshold: 2.5 }, /addHealthCheck\("db"\) option "failureThreshold" must be a positive integer, received number 2.5/],
    [{ successThreshold: 0 }, /addHealthCheck\("db"\) option "successThreshold" must be a positive integer, received number 0/],
    [{ interval: 1000, maxintervall: 5000 }, /addHealthCheck\("db"\) options has an unknown key "maxintervall" \(did you mean "maxInterval"\?\)/]
  ]
  for (const [options, message] of cases) {
    t.throws(() => app.addHealthCheck('db', () => true, options), { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  t.throws(() => app.addReadyCheck('r', () => true, { maxInterval: 1 }), { message: /^fastify-health: addReadyCheck\("r"\) option "maxInterval"/ })
  t.throws(() => app.addStartupCheck('s', () => true, { failureThreshold: 0 }), { message: /^fastify-health: addStartupCheck\("s"\) option "failureThreshold"/ })
  t.same((await app.runHealthChecks()).checks, {}, 'none of them was registered')
})

t.test('the plugin\'s interval lets a check set staleAfter and maxInterval', async t => {
  const { app } = await buildApp(t, { interval: 1000 })
  app.addHealthCheck('db', () => true, { staleAfter: 5000, maxInterval: 8000 })
  t.throws(() => app.addHealthCheck('cache', () => true, { maxInterval: 999 }), { message: /"maxInterval" must be at least "interval" \(1000 ms\)/ })
  t.equal((await app.inject('/health')).statusCode, 200)
})
