import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
// Imported up front: importing the package and its subpaths must load neither peer.
import healthPlugin from '../../lib/index'
import { healthService } from '../../lib/integrations/grpc'
import '../../lib/integrations/publishers/index'

// What a process has loaded of a package: the entries of require.cache under its folder in node_modules.
const loaded = (name: string): boolean => Object.keys(require.cache).some(file => file.includes(join('node_modules', name) + '/'))

t.test('the core loads neither optional peer until a feature that needs it is used', async t => {
  t.notOk(loaded('@opentelemetry/api'), 'importing the package and its subpaths loaded neither')
  t.notOk(loaded('@grpc/grpc-js'))
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin, { metrics: false })
  app.addHealthCheck('loop', () => true)
  app.health.addPublisher(() => {}, { interval: 1000, group: 'health' })
  await app.ready()
  t.equal((await app.inject('/health')).statusCode, 200)
  t.notOk(loaded('@opentelemetry/api'), 'the plugin, publishers included, ran without @opentelemetry/api')
  t.notOk(loaded('@grpc/grpc-js'), 'nor @grpc/grpc-js')

  const withMetrics = Fastify()
  t.teardown(() => withMetrics.close())
  await withMetrics.register(healthPlugin, { metrics: true })
  t.ok(loaded('@opentelemetry/api'), 'option metrics loads @opentelemetry/api, at registration')
  t.notOk(loaded('@grpc/grpc-js'))

  healthService(app)
  t.ok(loaded('@grpc/grpc-js'), 'healthService() loads it')
})

t.test('the package keeps exactly three runtime dependencies; the integrations are optional peers', async t => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'))
  t.same(Object.keys(pkg.dependencies).sort(), ['@fastify/error', '@sinclair/typebox', 'fastify-plugin'])
  t.same(pkg.peerDependenciesMeta, { '@opentelemetry/api': { optional: true }, '@grpc/grpc-js': { optional: true } })
  for (const subpath of ['./publishers', './grpc']) {
    t.same(Object.keys(pkg.exports[subpath]), ['types', 'default'], `${subpath}: types, then default`)
  }
})
