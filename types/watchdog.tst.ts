// Type tests of the `watchdog` option, against the built declarations (the package name resolves to dist/).
import Fastify from 'fastify'
import type { FastifyError } from '@fastify/error'
import { expect, test } from 'tstyche'
import healthPlugin, { FST_HEALTH_WATCHDOG_LISTEN, type HealthPluginOptions, type WatchdogOptions } from 'fastify-health'

const app = Fastify()

test('watchdog takes a port, and optionally a host and stuckAfter', () => {
  expect(app.register).type.toBeCallableWith(healthPlugin, { watchdog: { port: 9091 } })
  expect(app.register).type.toBeCallableWith(healthPlugin, { watchdog: { port: 9091, host: '0.0.0.0', stuckAfter: 30_000 } })
  expect<WatchdogOptions>().type.toBeAssignableTo<HealthPluginOptions['watchdog']>()
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { watchdog: {} })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { watchdog: { port: '9091' } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { watchdog: { port: 9091, stuckAfter: '10s' } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { watchdog: { port: 9091, stuckafter: 10_000 } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { watchdog: true })
})

test('FST_HEALTH_WATCHDOG_LISTEN is exported', () => {
  expect(healthPlugin.FST_HEALTH_WATCHDOG_LISTEN).type.toBe(FST_HEALTH_WATCHDOG_LISTEN)
  expect(new FST_HEALTH_WATCHDOG_LISTEN('x').code).type.toBe<'FST_HEALTH_WATCHDOG_LISTEN'>()
  expect(new FST_HEALTH_WATCHDOG_LISTEN('x')).type.toBeAssignableTo<FastifyError>()
})
