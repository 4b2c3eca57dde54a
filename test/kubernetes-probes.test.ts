import t from 'tap'
import type { HealthPluginOptions } from '../lib/types'
import { buildApp } from './helpers/app'

// app.health.kubernetesProbes({ port }): probe settings derived from the app's options and checks.

const probe = (path: string, port: number | string, periodSeconds: number, timeoutSeconds: number, failureThreshold: number): Record<string, unknown> =>
  ({ httpGet: { path, port }, periodSeconds, timeoutSeconds, failureThreshold })

t.test('defaults, no checks', async t => {
  const { app } = await buildApp(t)
  t.same(app.health.kubernetesProbes({ port: 3000 }), {
    startupProbe: probe('/health/started', 3000, 2, 1, 30),
    livenessProbe: probe('/health', 3000, 10, 1, 3),
    readinessProbe: { ...probe('/health/ready', 3000, 5, 1, 1), successThreshold: 1 },
    terminationGracePeriodSeconds: 30
  })
})

t.test('prefix, paths, the slowest on-demand check of each probe, a long shutdown', async t => {
  const { app } = await buildApp(t, {
    prefix: '/ops/',
    path: '/live',
    readyPath: '/ready',
    startupPath: '/started',
    gracefulShutdown: { delay: 20_000 },
    closeTimeout: 15_000
  })
  app.addHealthCheck('slow', () => true, { timeout: 2500 })
  app.addHealthCheck('fast', () => true, { timeout: 100 })
  app.addHealthCheck('background', () => true, { timeout: 9000, interval: 10_000 })
  app.addReadyCheck('db', () => true)
  app.addStartupCheck('migrations', () => true, { timeout: 1800 })
  t.same(app.health.kubernetesProbes({ port: 'http' }), {
    startupProbe: probe('/ops/started', 'http', 2, 2, 30),
    livenessProbe: probe('/ops/live', 'http', 10, 3, 3),
    readinessProbe: { ...probe('/ops/ready', 'http', 10, 1, 1), successThreshold: 1 },
    terminationGracePeriodSeconds: 45
  }, '2500 + 200 ms → 3 s, the background check is read, not waited for; 20 s + 15 s + 10 s')
})

t.test('the readiness period fits inside the shutdown delay', async t => {
  const cases: Array<[HealthPluginOptions['gracefulShutdown'], number]> = [[true, 5], [{ delay: 3000 }, 3], [{ delay: 3999 }, 3], [{ delay: 500 }, 1], [{ delay: 0 }, 1], [{ delay: 60_000 }, 10], [false, 5]]
  for (const [gracefulShutdown, period] of cases) {
    const { app } = await buildApp(t, { gracefulShutdown })
    const probes = app.health.kubernetesProbes({ port: 80 })
    t.equal(probes.readinessProbe.periodSeconds, period, `gracefulShutdown ${JSON.stringify(gracefulShutdown)}`)
    t.equal(probes.readinessProbe.failureThreshold, 1)
  }
})

t.test('a details policy function counts: it runs beside the checks, bounded by timeout', async t => {
  const { app } = await buildApp(t, { exposeDetails: () => true, timeout: 1500 })
  const probes = app.health.kubernetesProbes({ port: 80 })
  t.same([probes.startupProbe.timeoutSeconds, probes.livenessProbe.timeoutSeconds, probes.readinessProbe.timeoutSeconds], [2, 2, 2])
  const grace = await buildApp(t, { closeTimeout: 30_000 })
  t.equal(grace.app.health.kubernetesProbes({ port: 80 }).terminationGracePeriodSeconds, 45, '5 s + 30 s + 10 s')
})

t.test('bad options', async t => {
  const { app } = await buildApp(t)
  const port = 'fastify-health: kubernetesProbes() option "port" must be an integer from 1 to 65535 or a container port name such as "http"'
  const cases: Array<[unknown, string]> = [
    [undefined, 'fastify-health: kubernetesProbes() options must be an object { port }, received undefined'],
    [[80], 'fastify-health: kubernetesProbes() options must be an object { port }, received an array'],
    [{}, `${port}, received undefined`],
    [{ port: 0 }, `${port}, received number 0`],
    [{ port: 65536 }, `${port}, received number 65536`],
    [{ port: 80.5 }, `${port}, received number 80.5`],
    [{ port: 'HTTP' }, `${port}, received "HTTP"`],
    [{ port: '8080' }, `${port}, received "8080"`],
    [{ port: 'a--b' }, `${port}, received "a--b"`],
    [{ port: '-http' }, `${port}, received "-http"`],
    [{ port: 'a-very-long-port-name' }, `${port}, received "a-very-long-port-name"`],
    [{ port: 80, path: '/x' }, 'fastify-health: kubernetesProbes() options has an unknown key "path"; known keys: port']
  ]
  for (const [options, message] of cases) {
    t.throws(() => app.health.kubernetesProbes(options as never), { code: 'FST_HEALTH_INVALID_OPTION', message })
  }
  t.equal(app.health.kubernetesProbes({ port: 'web-8080' }).livenessProbe.httpGet.port, 'web-8080')
})
