// Type tests of the public API, against the built declarations (the package name resolves to dist/).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyTypeProviderDefault, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify'
import type { FastifyError } from '@fastify/error'
import { expect, test } from 'tstyche'
import healthPlugin, {
  healthPlugin as namedPlugin,
  fastifyHealth,
  FST_HEALTH_ALREADY_REGISTERED,
  FST_HEALTH_DEPENDENCY_UNAVAILABLE,
  FST_HEALTH_UNKNOWN_CHECK,
  type KubernetesProbes,
  type RouteHealthConfig,
  FST_HEALTH_CLOSED_BEFORE_STARTED,
  FST_HEALTH_DUPLICATE_CHECK,
  FST_HEALTH_INVALID_OPTION,
  type CheckOutcome,
  type CheckResult,
  type HealthControls,
  type ServiceInfo,
  type StartupReport,
  type HealthCheckFn,
  type HealthPluginOptions,
  type HealthReport,
  type ReadyReport,
  type StatusChangeEvent
} from 'fastify-health'

const app = Fastify()

test('the default and named exports (fastifyHealth too, the @fastify convention) are the same plugin', () => {
  expect(namedPlugin).type.toBe(healthPlugin)
  expect(healthPlugin.default).type.toBe(healthPlugin)
  expect(fastifyHealth).type.toBe(healthPlugin)
  expect(healthPlugin.fastifyHealth).type.toBe(healthPlugin)
  expect(healthPlugin).type.toBeAssignableTo<FastifyPluginAsync<HealthPluginOptions>>()
})

test('register() accepts the documented options and rejects others', () => {
  expect(app.register).type.toBeCallableWith(healthPlugin)
  expect(app.register).type.toBeCallableWith(healthPlugin, {
    path: '/status',
    readyPath: '/status/ready',
    timeout: 500,
    cacheTtl: 1000,
    exposeDetails: (request: { ip: string }) => request.ip === '127.0.0.1',
    logLevel: 'silent',
    gracefulShutdown: { signals: ['SIGTERM'], delay: 3000 },
    onStatusChange: (event: StatusChangeEvent) => { console.log(event.previous) },
    openapi: { hide: true, tags: ['ops'] }
  })
  expect(app.register).type.toBeCallableWith(healthPlugin, { gracefulShutdown: true, exposeDetails: false })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { pth: '/health' })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { timeout: '800' })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { logLevel: 'loud' })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { gracefulShutdown: { signals: ['SIGNOPE'] } })
})

test('addHealthCheck and addReadyCheck take a name, a boolean check and options', () => {
  expect(app.addHealthCheck).type.toBeCallableWith('database', () => true)
  expect(app.addHealthCheck).type.toBeCallableWith('database', async ({ signal }: { signal: AbortSignal }) => !signal.aborted)
  expect(app.addReadyCheck).type.toBeCallableWith('migrations', () => Promise.resolve(false), { timeout: 100, critical: false })
  expect(app.addHealthCheck('a', () => true)).type.toBe<typeof app>()

  expect(app.addHealthCheck).type.not.toBeCallableWith('database', () => 'ok')
  expect(app.addHealthCheck).type.not.toBeCallableWith('database', async () => 1)
  expect(app.addHealthCheck).type.not.toBeCallableWith(42, () => true)
  expect(app.addReadyCheck).type.not.toBeCallableWith('m', () => true, { timout: 100 })
  expect(app.addReadyCheck).type.not.toBeCallableWith('m', () => true, { critical: 'no' })
})

test('addHealthCheck and addReadyCheck return the instance with its own type, so that chains keep it', () => {
  interface Provider extends FastifyTypeProviderDefault { marker: true }
  const typed = Fastify().withTypeProvider<Provider>()
  type Typed = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, Provider>
  expect(typed.addHealthCheck('a', () => true)).type.toBe<Typed>()
  expect(typed.addHealthCheck('a', () => true).addReadyCheck('b', () => true)).type.toBe<Typed>()
  expect(app.addReadyCheck('b', () => true).addHealthCheck('c', () => true)).type.toBe<typeof app>()
  const plain: FastifyInstance = app
  expect(plain.addHealthCheck('d', () => true)).type.toBe<FastifyInstance>()
})

test('the error constructors are exported, for `code` and `instanceof`', () => {
  expect(healthPlugin.FST_HEALTH_INVALID_OPTION).type.toBe(FST_HEALTH_INVALID_OPTION)
  expect(new FST_HEALTH_INVALID_OPTION('option "timeout" must be a number')).type.toBeAssignableTo<FastifyError>()
  expect(new FST_HEALTH_DUPLICATE_CHECK('x').code).type.toBe<'FST_HEALTH_DUPLICATE_CHECK'>()
  expect(healthPlugin.FST_HEALTH_INVALID_CHECK_NAME).type.not.toBeAssignableTo<undefined>()
  expect(healthPlugin.FST_HEALTH_INVALID_CHECK).type.not.toBeAssignableTo<undefined>()
  expect(healthPlugin.FST_HEALTH_REENTRANT_RUN).type.not.toBeAssignableTo<undefined>()
})

test('a check receives a context with an AbortSignal', () => {
  const check: HealthCheckFn = (context) => {
    expect(context.signal).type.toBe<AbortSignal>()
    return true
  }
  expect(check).type.toBeAssignableTo<HealthCheckFn>()
})

test('the report types follow the schema', () => {
  expect(app.runHealthChecks()).type.toBe<Promise<HealthReport>>()
  expect(app.runReadyChecks()).type.toBe<Promise<ReadyReport>>()
  expect(app.runStartupChecks()).type.toBe<Promise<StartupReport>>()
  expect<HealthReport['status']>().type.toBe<'healthy' | 'unhealthy'>()
  expect<ReadyReport['status']>().type.toBe<'ready' | 'not_ready'>()
  expect<CheckResult['status']>().type.toBe<'pass' | 'warn' | 'fail' | 'error' | 'skipped'>()
  expect<CheckResult>().type.toBeAssignableFrom({ status: 'error' as const, error: 'boom', timestamp: 1, duration: 2 })
  expect<CheckResult>().type.not.toBeAssignableFrom({ status: 'ok', timestamp: 1, duration: 2 })
})

test('probe routes are marked in the route config', () => {
  app.addHook('onRequest', async (request) => {
    expect(request.routeOptions.config.healthProbe).type.toBe<'health' | 'ready' | 'startup' | (string & {}) | undefined>()
  })
})

test('a check may return a CheckOutcome, sync or async', () => {
  expect(app.addHealthCheck).type.toBeCallableWith('disk', () => ({ status: 'warn' as const, output: '91% full', observedValue: 91, observedUnit: 'percent' }))
  expect(app.addHealthCheck).type.toBeCallableWith('disk', async (): Promise<CheckOutcome> => ({ status: 'fail', output: 'full' }))
  expect(app.addHealthCheck).type.toBeCallableWith('flag', () => ({ status: 'pass' as const, observedValue: true }))
  expect(app.addHealthCheck).type.toBeCallableWith('either', async () => Math.random() > 0.5 ? true : { status: 'pass' as const })
  expect<CheckOutcome>().type.toBeAssignableFrom({ status: 'pass' as const, observedValue: 'v' })
  expect<CheckOutcome>().type.not.toBeAssignableFrom({ status: 'error' as const })
  expect<CheckOutcome>().type.not.toBeAssignableFrom({ status: 'pass' as const, observedValue: { n: 1 } })
  expect<CheckOutcome>().type.not.toBeAssignableFrom({ status: 'pass' as const, output: 42 })
  expect(app.addHealthCheck).type.not.toBeCallableWith('bad', () => ({ status: 'ok' }))
  expect(app.addHealthCheck).type.not.toBeCallableWith('bad', async () => ({ ok: true }))
})

test('addStartupCheck has the signature of the other two, and the check options include the newer ones', () => {
  expect(app.addStartupCheck).type.toBeCallableWith('migrations', async () => true)
  expect(app.addStartupCheck('m', () => true)).type.toBe<typeof app>()
  expect(app.addReadyCheck).type.toBeCallableWith('db', () => true, {
    timeout: 100, critical: true, interval: 1000, staleAfter: 5000, failureThreshold: 3, successThreshold: 2, maxInterval: 60000
  })
  expect(app.addStartupCheck).type.not.toBeCallableWith('m', () => true, { interval: '1s' })
  expect(app.addStartupCheck).type.not.toBeCallableWith('m', () => true, { maxIntervall: 1 })
})

test('app.health controls availability', () => {
  expect(app.health).type.toBe<HealthControls>()
  expect(app.health.setReady).type.toBeCallableWith(false, 'maintenance')
  expect(app.health.setReady).type.toBeCallableWith(true)
  expect(app.health.setLive).type.toBeCallableWith(false)
  expect(app.health.setReady).type.not.toBeCallableWith('no')
  expect(app.health.whenStarted()).type.toBe<Promise<void>>()
  expect(app.health.shutdown({ delay: 0 })).type.toBe<Promise<void>>()
  expect(app.health.shutdown).type.toBeCallableWith()
  expect(app.health.shutdown).type.not.toBeCallableWith({ delay: '5s' })
  expect<StartupReport['status']>().type.toBe<'started' | 'starting'>()
})

test('the newer plugin options', () => {
  expect(app.register).type.toBeCallableWith(healthPlugin, {
    startupPath: '/status/started',
    prefix: '/internal',
    interval: 5000,
    failureThreshold: 3,
    successThreshold: 2,
    closeTimeout: 2000,
    escalateAfter: 60000,
    service: { serviceId: 'orders', version: '1', releaseId: '1.2.3', description: 'orders API' },
    exposeDetails: async (request: { ip: string }) => request.ip === '127.0.0.1',
    onStatusChange: async (event: StatusChangeEvent) => { await Promise.resolve(event.kind) }
  })
  expect<ServiceInfo>().type.toBeAssignableFrom({ serviceId: 'x' })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { service: { serviceID: 'x' } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { service: { version: 1 } })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { closeTimeout: '5s' })
  expect<StatusChangeEvent['kind']>().type.toBe<'health' | 'ready' | 'startup' | 'custom'>()
})

test('FST_HEALTH_ALREADY_REGISTERED is exported', () => {
  expect(healthPlugin.FST_HEALTH_ALREADY_REGISTERED).type.toBe(FST_HEALTH_ALREADY_REGISTERED)
  expect(new FST_HEALTH_ALREADY_REGISTERED('x').code).type.toBe<'FST_HEALTH_ALREADY_REGISTERED'>()
})

test('routes declare the checks they need in config.health', () => {
  expect(app.get).type.toBeCallableWith('/checkout', { config: { health: { requires: ['payments', 'db'], retryAfter: 5 } } }, async () => 'ok')
  expect(app.get).type.toBeCallableWith('/cart', { config: { health: { requires: ['db'] } } }, async () => 'ok')
  expect(app.get).type.not.toBeCallableWith('/x', { config: { health: { requires: 'db' } } }, async () => 'ok')
  expect(app.get).type.not.toBeCallableWith('/x', { config: { health: { retryAfter: 5 } } }, async () => 'ok')
  expect(app.get).type.not.toBeCallableWith('/x', { config: { health: { requires: ['db'], retryAfter: '5' } } }, async () => 'ok')
  app.addHook('onRequest', async (request) => {
    expect(request.routeOptions.config.health).type.toBe<RouteHealthConfig | undefined>()
  })
  expect(new FST_HEALTH_DEPENDENCY_UNAVAILABLE('x').code).type.toBe<'FST_HEALTH_DEPENDENCY_UNAVAILABLE'>()
  expect(new FST_HEALTH_UNKNOWN_CHECK('x')).type.toBeAssignableTo<FastifyError>()
  expect(healthPlugin.FST_HEALTH_DEPENDENCY_UNAVAILABLE).type.toBe(FST_HEALTH_DEPENDENCY_UNAVAILABLE)
})

test('check options impact and fleetGrace', () => {
  expect(app.addReadyCheck).type.toBeCallableWith('payments', () => true, { impact: 'fleet', fleetGrace: 60_000 })
  expect(app.addHealthCheck).type.toBeCallableWith('disk', () => true, { impact: 'instance' })
  expect(app.addReadyCheck).type.not.toBeCallableWith('payments', () => true, { impact: 'global' })
  expect(app.addReadyCheck).type.not.toBeCallableWith('payments', () => true, { impact: 'fleet', fleetGrace: '1m' })
  expect<CheckResult['impact']>().type.toBe<'fleet' | undefined>()
})

test('app.health.kubernetesProbes() returns the probes and grace period', () => {
  expect(app.health.kubernetesProbes({ port: 9090 })).type.toBe<KubernetesProbes>()
  expect(app.health.kubernetesProbes).type.toBeCallableWith({ port: 'http' })
  expect(app.health.kubernetesProbes).type.not.toBeCallableWith({})
  expect(app.health.kubernetesProbes).type.not.toBeCallableWith()
  expect<KubernetesProbes['readinessProbe']['httpGet']['path']>().type.toBe<string>()
  expect<KubernetesProbes['terminationGracePeriodSeconds']>().type.toBe<number>()
})

test('groups: the plugin option, check options, addCheck, addGroup and run', () => {
  expect(app.register).type.toBeCallableWith(healthPlugin, { groups: { payments: {}, dba: { path: '/ops/db', exposeDetails: false } }, checkRoutes: false })
  expect(app.register).type.not.toBeCallableWith(healthPlugin, { groups: { payments: { pth: '/x' } } })
  expect(app.addHealthCheck).type.toBeCallableWith('db', () => true, { groups: ['payments'], dependsOn: ['network'] })
  expect(app.addCheck).type.toBeCallableWith('stripe', () => true, { groups: ['payments'] })
  expect(app.addCheck).type.not.toBeCallableWith('stripe', () => true)
  expect(app.addCheck).type.not.toBeCallableWith('stripe', () => true, { timeout: 100 })
  expect(app.addCheck('s', () => true, { groups: ['p'] })).type.toBe<typeof app>()
  expect(app.health.addGroup).type.toBeCallableWith('payments')
  expect(app.health.addGroup).type.toBeCallableWith('payments', { path: '/payments', exposeDetails: () => true })
  expect(app.health.run('payments')).type.toBe<Promise<HealthReport | ReadyReport | StartupReport>>()
})

test('status change events name the groups; entries may be skipped', () => {
  expect<StatusChangeEvent['groups']>().type.toBe<readonly string[]>()
  expect<StatusChangeEvent['kind']>().type.toBe<'health' | 'ready' | 'startup' | 'custom'>()
  expect<CheckResult['status']>().type.toBe<'pass' | 'warn' | 'fail' | 'error' | 'skipped'>()
})

test('FST_HEALTH_CLOSED_BEFORE_STARTED is exported', () => {
  expect(healthPlugin.FST_HEALTH_CLOSED_BEFORE_STARTED).type.toBe(FST_HEALTH_CLOSED_BEFORE_STARTED)
  expect(new FST_HEALTH_CLOSED_BEFORE_STARTED('x').code).type.toBe<'FST_HEALTH_CLOSED_BEFORE_STARTED'>()
})
