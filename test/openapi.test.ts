import swagger from '@fastify/swagger'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'
import { buildApp } from './helpers/app'
import type { HealthPluginOptions } from '../lib/types'

async function document (t: Test, options: HealthPluginOptions): Promise<any> {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'test', version: '1.0.0' } } })
  await app.register(healthPlugin, options)
  app.get('/other', async () => 'x')
  await app.ready()
  return app.swagger()
}

/** The report branch of a 503 schema, after checking that the other branch is Fastify's error body. */
function reportOrHookError (t: Test, schema: any): any {
  t.equal(schema.anyOf?.length, 2, '503: the report or a hook\'s error')
  t.same(Object.keys(schema.anyOf[1].properties), ['statusCode', 'code', 'error', 'message'], 'the error as Fastify sends it')
  t.same(schema.anyOf[1].required, ['statusCode'])
  return schema.anyOf[0]
}

t.test('both probe routes are described with their 200 and 503 schemas', async t => {
  const doc = await document(t, {})
  t.equal(doc.openapi, '3.0.3')
  const expected = { '/health': ['healthy', 'unhealthy'], '/health/ready': ['ready', 'not_ready'] }
  for (const [path, statuses] of Object.entries(expected)) {
    const operation = doc.paths[path]?.get
    t.ok(operation, `${path} is in the document`)
    t.same(operation.tags, ['health'])
    t.match(operation.summary, path === '/health' ? 'Liveness' : 'Readiness')
    for (const code of ['200', '503']) {
      const described = operation.responses[code]?.content?.['application/json']?.schema
      t.ok(described, `${path} ${code} has a JSON schema`)
      // 503: the report, or the error of a hook that answered first (such as @fastify/under-pressure shedding load).
      const schema = code === '503' ? reportOrHookError(t, described) : described
      t.same(schema.properties.status.anyOf?.map((s: any) => s.enum?.[0] ?? s.const) ?? schema.properties.status.enum, statuses, `${path} ${code} status values`)
      t.equal(schema.properties.timestamp.type, 'number')
      t.equal(schema.properties.checks.type, 'object')
      t.same(schema.required, ['status', 'timestamp'], 'checks is optional (hidden when exposeDetails says no)')
      const entry = schema.properties.checks.additionalProperties
      t.same(entry.required, ['status', 'timestamp', 'duration'])
      t.ok(entry.properties.error && entry.properties.critical, 'error and critical are described')
    }
  }
  t.ok(doc.paths['/other'], 'the app\'s own routes are untouched')
})

t.test('openapi.tags sets the tags', async t => {
  const doc = await document(t, { openapi: { tags: ['ops', 'k8s'] } })
  t.same(doc.paths['/health'].get.tags, ['ops', 'k8s'])
  t.same(doc.paths['/health/ready'].get.tags, ['ops', 'k8s'])
})

t.test('openapi.hide hides both probe routes', async t => {
  const doc = await document(t, { openapi: { hide: true }, path: '/livez', readyPath: '/readyz' })
  t.notOk(doc.paths['/livez'])
  t.notOk(doc.paths['/readyz'])
  t.ok(doc.paths['/other'])
})

t.test('without @fastify/swagger the schema keywords change nothing', async t => {
  const { app } = await buildApp(t, { openapi: { hide: true, tags: ['x'] } })
  app.addHealthCheck('loop', () => true)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: 'healthy', checks: { loop: { status: 'pass' } } })
})

t.test('the startup probe and the per-check routes are documented, with the newer entry fields', async t => {
  const doc = await document(t, {})
  const startup = doc.paths['/health/started']?.get
  t.ok(startup, 'the startup probe is in the document')
  t.match(startup.summary, 'Startup')
  const startupStatus = reportOrHookError(t, startup.responses['503'].content['application/json'].schema).properties.status
  t.same(startupStatus.anyOf?.map((s: any) => s.enum?.[0] ?? s.const) ?? startupStatus.enum, ['started', 'starting'])

  for (const [path, summary] of [['/health/{name}', 'Liveness probe: one check'], ['/health/ready/{name}', 'Readiness probe: one check'], ['/health/started/{name}', 'Startup probe: one check']]) {
    const operation = doc.paths[path]?.get
    t.ok(operation, `${path} is in the document`)
    t.equal(operation.summary, summary)
    t.same(operation.tags, ['health'])
    t.match(operation.parameters.filter((p: any) => p.in === 'path'), [{ in: 'path', name: 'name', required: true, schema: { type: 'string' } }])
    t.ok(operation.responses['200'] && operation.responses['503'], `${path} documents 200 and 503`)
  }

  const entry = doc.paths['/health'].get.responses['200'].content['application/json'].schema.properties.checks.additionalProperties
  for (const field of ['output', 'observedValue', 'observedUnit', 'observed', 'since']) t.ok(entry.properties[field], `${field} is described`)
  const statuses = entry.properties.status.anyOf?.map((s: any) => s.enum?.[0] ?? s.const) ?? entry.properties.status.enum
  t.same(statuses, ['pass', 'warn', 'fail', 'error', 'skipped'])
  t.same(entry.properties.observedValue.anyOf.map((s: any) => s.type), ['number', 'string', 'boolean'])
})

t.test('openapi.hide hides the startup and per-check routes too', async t => {
  const doc = await document(t, { openapi: { hide: true } })
  t.same(Object.keys(doc.paths), ['/other'])
})
