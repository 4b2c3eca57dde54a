// Type tests of the status page option and the history API, against the built declarations.
import Fastify from 'fastify'
import { expect, test } from 'tstyche'
import healthPlugin, { type CheckHistory, type CheckStatus, type StatusChangeRecord, type StatusPageOptions } from 'fastify-health'

const app = Fastify()

test('statusPage takes a boolean or { refresh }', () => {
  expect(app.register).type.toBeCallableWith(healthPlugin, { statusPage: true })
  expect(app.register).type.toBeCallableWith(healthPlugin, { statusPage: { refresh: 30 } })
  expect(app.register).type.toBeCallableWith(healthPlugin, { statusPage: {} })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { statusPage: 'yes' })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { statusPage: { refresh: '10' } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { statusPage: { refesh: 10 } })
  expect<StatusPageOptions>().type.toBeAssignableFrom({ refresh: 5 })
})

test('app.health.history() returns a check\'s history or undefined', () => {
  expect(app.health.history('db')).type.toBe<CheckHistory | undefined>()
  expect(app.health.history).type.not.toBeCallableWith()
  expect(app.health.history).type.not.toBeCallableWith(42)
  expect<CheckHistory['uptime']>().type.toBe<{ '1h': number | null, '24h': number | null }>()
  expect<CheckHistory['status']>().type.toBe<CheckStatus | null>()
  expect<CheckHistory['since']>().type.toBe<number | null>()
  expect<CheckHistory['changes']>().type.toBe<StatusChangeRecord[]>()
  expect<StatusChangeRecord['previous']>().type.toBe<CheckStatus | null>()
  expect<StatusChangeRecord['error']>().type.toBe<string | undefined>()
})
