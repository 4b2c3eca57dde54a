// Type tests of the `fastify-health/checks` subpath export, against the built declarations.
import Fastify from 'fastify'
import { expect, test } from 'tstyche'
import type { HealthCheckContext, HealthCheckFn } from 'fastify-health'
import * as checks from 'fastify-health/checks'
import { diskSpace, eventLoopDelay, http, memory, tcp } from 'fastify-health/checks'

const app = Fastify()

test('every factory returns a check that addHealthCheck accepts', () => {
  expect(diskSpace()).type.toBeAssignableTo<HealthCheckFn>()
  expect(diskSpace({ path: '/data', minFreeBytes: 1024 ** 3, minFreeRatio: 0.1 })).type.toBeAssignableTo<HealthCheckFn>()
  expect(memory({ maxRssBytes: 1e9 })).type.toBeAssignableTo<HealthCheckFn>()
  expect(eventLoopDelay({ maxMs: 200, percentile: 99 })).type.toBeAssignableTo<HealthCheckFn>()
  expect(http('http://127.0.0.1/health', { method: 'HEAD', expectStatus: [200, 204], headers: { a: 'b' } })).type.toBeAssignableTo<HealthCheckFn>()
  expect(http(new URL('http://127.0.0.1/'))).type.toBeAssignableTo<HealthCheckFn>()
  expect(tcp({ host: '127.0.0.1', port: 6379 })).type.toBeAssignableTo<HealthCheckFn>()
  expect(app.addHealthCheck).type.toBeCallableWith('disk', diskSpace())
  expect(eventLoopDelay({ maxMs: 1 }).close).type.toBeAssignableTo<() => void>()
})

test('formatBytes stays internal', () => {
  expect(checks).type.not.toHaveProperty('formatBytes')
})

// The object a check may answer with, as HealthCheckFn declares it.
type CheckOutcome = Exclude<Awaited<ReturnType<HealthCheckFn>>, boolean>

test('every check answers with a CheckOutcome', () => {
  const context = {} as HealthCheckContext
  expect(diskSpace()).type.toBe<(context: HealthCheckContext) => Promise<CheckOutcome>>()
  expect(memory({ maxRssBytes: 1 })).type.toBe<(context: HealthCheckContext) => Promise<CheckOutcome>>()
  expect(http('http://127.0.0.1/')).type.toBe<(context: HealthCheckContext) => Promise<CheckOutcome>>()
  expect(tcp({ host: '127.0.0.1', port: 6379 })).type.toBe<(context: HealthCheckContext) => Promise<CheckOutcome>>()
  expect(eventLoopDelay({ maxMs: 1 })(context)).type.toBe<CheckOutcome>()
  expect(eventLoopDelay({ maxMs: 1 })(context).observedValue).type.toBe<number | string | boolean | undefined>()
})

test('options are typed', () => {
  expect(diskSpace).type.not.toBeCallableWith({ minFreeByte: 1 })
  expect(memory).type.not.toBeCallableWith({ maxRss: 1 })
  expect(eventLoopDelay).type.not.toBeCallableWith({})
  expect(http).type.not.toBeCallableWith(42)
  expect(http).type.not.toBeCallableWith('http://x', { expectStatus: '200' })
  expect(tcp).type.not.toBeCallableWith({ host: 'redis' })
  expect(tcp).type.not.toBeCallableWith({ host: 'redis', port: '6379' })
})
