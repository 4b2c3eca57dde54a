import t from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import { registerWith } from './helpers/register'
import type { HealthPluginOptions } from '../lib/types'

t.test('path and readyPath must be static paths starting with "/"', async t => {
  const cases: Array<[HealthPluginOptions | Record<string, unknown>, RegExp]> = [
    [{ path: 'health' }, /^fastify-health: option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received "health"$/],
    [{ path: 42 }, /option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received number 42/],
    [{ path: '' }, /option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received ""$/],
    [{ readyPath: 'ready' }, /option "readyPath" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received "ready"/],
    [{ readyPath: null }, /option "readyPath" .*received null/],
    [{ path: '/x', readyPath: '/x' }, /option "readyPath" must be different from "path" \(both are "\/x"\), received "\/x"/],
    [{ path: '/health/ready' }, /option "readyPath" must be different from "path"/]
  ]
  for (const [options, message] of cases) {
    const err = await registerWith(t, options)
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
    t.type(err, TypeError)
  }
})

t.test('timeout and cacheTtl are validated at registration', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ timeout: 0 }, /option "timeout" must be a positive finite number of milliseconds, received number 0/],
    [{ timeout: -1 }, /option "timeout"/],
    [{ timeout: Infinity }, /option "timeout" .*Infinity/],
    [{ timeout: '800' }, /option "timeout" .*received "800"/],
    [{ cacheTtl: -1 }, /option "cacheTtl" must be a non-negative finite number of milliseconds, received number -1/],
    [{ cacheTtl: NaN }, /option "cacheTtl" .*NaN/],
    [{ cacheTtl: [] }, /option "cacheTtl" .*received an array/],
    [{ cacheTtl: {} }, /option "cacheTtl" .*received an object/]
  ]
  for (const [options, message] of cases) {
    t.match(await registerWith(t, options), { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  t.equal(await registerWith(t, { timeout: 1, cacheTtl: 0 }), undefined, 'boundaries are accepted')
})

t.test('no options at all takes every default', async t => {
  t.equal(await registerWith(t, undefined), undefined)
  t.equal(await registerWith(t, {}), undefined)
})

t.test('misspelt keys are rejected with "did you mean"', async t => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ timout: 100 }, 'plugin options has an unknown key "timout" (did you mean "timeout"?); known keys: path, readyPath, startupPath, prefix, timeout,'],
    [{ readypath: '/r' }, 'plugin options has an unknown key "readypath" (did you mean "readyPath"?)'],
    [{ exposeDetail: false }, 'plugin options has an unknown key "exposeDetail" (did you mean "exposeDetails"?)'],
    [{ gracefulShutdown: { signal: ['SIGTERM'] } }, 'option "gracefulShutdown" has an unknown key "signal" (did you mean "signals"?); known keys: signals, delay'],
    [{ gracefulShutdown: { dealy: 10 } }, 'option "gracefulShutdown" has an unknown key "dealy" (did you mean "delay"?)'],
    [{ openapi: { tag: ['x'] } }, 'option "openapi" has an unknown key "tag" (did you mean "tags"?); known keys: hide, tags'],
    [{ service: { serviceID: 'x' } }, 'option "service" has an unknown key "serviceID" (did you mean "serviceId"?); known keys: serviceId, version, releaseId, description'],
    [{ service: { release: '1' } }, 'option "service" has an unknown key "release" (did you mean "releaseId"?)'],
    [{ somethingElse: 1 }, 'plugin options has an unknown key "somethingElse"; known keys:']
  ]
  for (const [options, message] of cases) {
    const err = await registerWith(t, options) as Error
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION' }, JSON.stringify(options))
    t.ok(err.message.startsWith('fastify-health: ' + message), err.message)
  }
})

t.test('misspelt check option keys are rejected with "did you mean"', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  t.throws(() => app.addHealthCheck('db', () => true, { critcal: false } as never), {
    code: 'FST_HEALTH_INVALID_OPTION',
    message: 'fastify-health: addHealthCheck("db") options has an unknown key "critcal" (did you mean "critical"?); known keys: timeout, critical, interval, staleAfter, failureThreshold, successThreshold, maxInterval, groups, dependsOn, impact, fleetGrace'
  })
  t.throws(() => app.addReadyCheck('db', () => true, { Interval: 10 } as never), { message: /addReadyCheck\("db"\) options has an unknown key "Interval" \(did you mean "interval"\?\)/ })
  t.throws(() => app.addStartupCheck('db', () => true, { zzz: 1 } as never), { message: /addStartupCheck\("db"\) options has an unknown key "zzz"; known keys/ })
})

t.test('paths must be static: no wildcard, parameter, query, fragment or whitespace', async t => {
  const bad: Array<Record<string, unknown>> = [
    { path: '/*' }, { path: '/health/:id' }, { path: '/health?x=1' }, { path: '/health#top' }, { path: '/he alth' },
    { path: '/health\t' }, { path: '/health\n' }, { readyPath: '/ready/*' }, { startupPath: '/started/:x' },
    { startupPath: 'started' }, { prefix: '/api/:v' }, { prefix: 'api' }, { path: '/h\u0000' }
  ]
  for (const options of bad) {
    const key = Object.keys(options)[0]
    t.match(await registerWith(t, options), {
      code: 'FST_HEALTH_INVALID_OPTION',
      message: new RegExp(`option "${key}" must be a static path starting with "/"`)
    }, JSON.stringify(options))
  }
})

t.test('startupPath must differ from the other two', async t => {
  t.match(await registerWith(t, { startupPath: '/health' }), { message: /option "startupPath" must be different from "path" and "readyPath" \("\/health" is taken\)/ })
  t.match(await registerWith(t, { startupPath: '/health/ready' }), { message: /option "startupPath" must be different/ })
})

t.test('prefix is honoured: every route goes under it', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin, { prefix: '/api/', startupPath: '/s' })
  app.addHealthCheck('db', () => true)
  t.equal((await app.inject('/api/health')).statusCode, 200)
  t.equal((await app.inject('/api/health/ready')).statusCode, 200)
  t.equal((await app.inject('/api/s')).statusCode, 200)
  t.equal((await app.inject('/api/health/db')).statusCode, 200)
  t.equal((await app.inject('/health')).statusCode, 404, 'nothing at the unprefixed path')
})

t.test('the other plugin options are validated', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ interval: 0 }, /option "interval" must be a positive finite number of milliseconds, received number 0/],
    [{ interval: 2 ** 31 }, /option "interval" must be at most 2147483647 ms, received number 2147483648/],
    [{ closeTimeout: -5 }, /option "closeTimeout" must be a positive/],
    [{ escalateAfter: 'soon' }, /option "escalateAfter" .*received "soon"/],
    [{ failureThreshold: 0 }, /option "failureThreshold" must be a positive integer, received number 0/],
    [{ successThreshold: 1.5 }, /option "successThreshold" must be a positive integer, received number 1.5/],
    [{ service: 'svc' }, /option "service" must be an object \{ serviceId, version, releaseId, description \}, received "svc"/],
    [{ service: { version: 2 } }, /option "service.version" must be a string, received number 2/],
    [{ gracefulShutdown: { signals: ['SIGTERM'], delay: 2 ** 31 } }, /option "gracefulShutdown.delay" must be at most/]
  ]
  for (const [options, message] of cases) {
    t.match(await registerWith(t, options), { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  t.equal(await registerWith(t, {
    interval: 1000,
    failureThreshold: 2,
    successThreshold: 3,
    closeTimeout: 100,
    escalateAfter: 60_000,
    service: { serviceId: 'a', version: '1', releaseId: 'r', description: 'd' },
    gracefulShutdown: { signals: ['SIGTERM', 'SIGTERM'], delay: 0 },
    openapi: { hide: true, tags: ['x'] },
    logLevel: 'info',
    onStatusChange: () => {}
  }), undefined, 'every valid option together')
})

t.test('check options are validated', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ staleAfter: 100 }, /addHealthCheck\("c"\) option "staleAfter" must be set only together with "interval" \(on the check or the plugin\), received number 100/],
    [{ maxInterval: 100 }, /option "maxInterval" must be set only together with "interval"/],
    [{ interval: 100, maxInterval: 50 }, /option "maxInterval" must be at least "interval" \(100 ms\), received number 50/],
    [{ interval: 100, staleAfter: 0 }, /option "staleAfter" must be a positive/],
    [{ failureThreshold: 'x' }, /option "failureThreshold" must be a positive integer/],
    [{ successThreshold: 0 }, /option "successThreshold" must be a positive integer/],
    [{ interval: Infinity }, /option "interval" must be a positive finite/]
  ]
  for (const [options, message] of cases) {
    t.throws(() => app.addHealthCheck('c', () => true, options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  t.doesNotThrow(() => app.addHealthCheck('ok', () => true, { interval: 100, maxInterval: 100, staleAfter: 800, failureThreshold: 2, successThreshold: 2 }))
  // A limit below the interval or the time limit would make a passing check read stale.
  t.throws(() => app.addHealthCheck('short', () => true, { interval: 1000, staleAfter: 999 }), {
    code: 'FST_HEALTH_INVALID_OPTION',
    message: 'fastify-health: addHealthCheck("short") option "staleAfter" must be at least "interval" (1000 ms) and "timeout" (800 ms), else a passing check reads stale, received number 999'
  })
  t.throws(() => app.addHealthCheck('slow', () => true, { interval: 100, timeout: 2000, staleAfter: 1000 }), { message: /"staleAfter" must be at least "interval" \(100 ms\) and "timeout" \(2000 ms\)/ })
})

t.test('a plugin interval lets checks set staleAfter and maxInterval', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin, { interval: 2 ** 31 - 1, timeout: 10 })
  t.doesNotThrow(() => app.addHealthCheck('a', () => true, { staleAfter: 2 ** 31 - 1, maxInterval: 2 ** 31 - 1 }))
})
