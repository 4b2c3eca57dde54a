// Type tests of the telemetry integrations: option `metrics`, `app.health.addPublisher`, and the
// `fastify-health/publishers` and `fastify-health/grpc` subpath exports, against the built declarations.
import * as grpc from '@grpc/grpc-js'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import type { FastifyError } from '@fastify/error'
import Fastify from 'fastify'
import { expect, test } from 'tstyche'
import healthPlugin, {
  FST_HEALTH_MISSING_PEER,
  type MeterProviderLike,
  type MetricsOptions,
  type PublishContext,
  type PublishedReport,
  type Publisher,
  type PublisherOptions
} from 'fastify-health'
import { healthDefinition, healthService, ServingStatus, type HealthService } from 'fastify-health/grpc'
import { heartbeat, pushgateway, type HeartbeatOptions, type PushgatewayOptions } from 'fastify-health/publishers'

const app = Fastify()

test('metrics: true, false, or { meterProvider } with an OpenTelemetry SDK MeterProvider', () => {
  expect(app.register(healthPlugin, { metrics: true })).type.not.toRaiseError()
  expect(app.register(healthPlugin, { metrics: false })).type.not.toRaiseError()
  expect(app.register(healthPlugin, { metrics: { meterProvider: new MeterProvider() } })).type.not.toRaiseError()
  expect(app.register(healthPlugin, { metrics: {} })).type.not.toRaiseError()
  expect(new MeterProvider()).type.toBeAssignableTo<MeterProviderLike>()
  expect<MetricsOptions>().type.toBeAssignableTo<{ meterProvider?: MeterProviderLike }>()
  expect(app.register(healthPlugin, { metrics: 'yes' })).type.toRaiseError()
  expect(app.register(healthPlugin, { metrics: { meterProvider: {} } })).type.toRaiseError()
})

test('addPublisher takes a publisher and its options', () => {
  expect(app.health.addPublisher).type.toBe<(publish: Publisher, options: PublisherOptions) => void>()
  app.health.addPublisher((report, context) => {
    expect(report).type.toBe<PublishedReport>()
    expect(context).type.toBe<PublishContext>()
    expect(context.signal).type.toBe<AbortSignal>()
    expect(context.previous).type.toBe<PublishedReport | undefined>()
    expect(context.final).type.toBe<boolean>()
    expect(context.group).type.toBe<string>()
    expect(context.passing).type.toBe<boolean>()
  }, { interval: 1000 })
  expect(app.health.addPublisher(async () => {}, { interval: 1000, group: 'health', timeout: 500, onlyOnChange: true })).type.toBe<void>()
  expect(app.health.addPublisher(() => {}, {})).type.toRaiseError()
  expect(app.health.addPublisher(() => {}, { interval: '1s' })).type.toRaiseError()
})

test('the ready-made publishers are publishers', () => {
  expect(pushgateway({ url: 'http://pushgateway:9091', job: 'api' })).type.toBeAssignableTo<Publisher>()
  expect(pushgateway({ url: new URL('http://pushgateway:9091'), job: 'api', instance: 'pod-1' })).type.toBeAssignableTo<Publisher>()
  expect(heartbeat({ url: 'https://hc-ping.com/uuid', failUrl: 'https://hc-ping.com/uuid/fail' })).type.toBeAssignableTo<Publisher>()
  expect(heartbeat({ url: 'https://hc-ping.com/uuid' })).type.toBeAssignableTo<Publisher>()
  expect<PushgatewayOptions>().type.toBeAssignableTo<{ url: string | URL, job: string, instance?: string }>()
  expect<HeartbeatOptions>().type.toBeAssignableTo<{ url: string | URL, failUrl?: string | URL }>()
  expect(pushgateway({ url: 'http://pushgateway:9091' })).type.toRaiseError()
  expect(heartbeat({})).type.toRaiseError()
})

test('healthService() gives what @grpc/grpc-js server.addService() takes', () => {
  const service = healthService(app)
  expect(service).type.toBe<HealthService>()
  expect(new grpc.Server().addService(service.definition, service.implementation)).type.toBe<void>()
  expect(healthDefinition).type.toBeAssignableTo<grpc.ServiceDefinition>()
  expect(ServingStatus.SERVING).type.toBe<1>()
  expect(ServingStatus.SERVICE_UNKNOWN).type.toBe<3>()
  expect(healthService()).type.toRaiseError()
})

test('FST_HEALTH_MISSING_PEER is a FastifyError constructor', () => {
  expect(new FST_HEALTH_MISSING_PEER('x')).type.toBeAssignableTo<FastifyError>()
})
