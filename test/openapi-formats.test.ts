import swagger from '@fastify/swagger'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../lib/index'

async function document (t: Test): Promise<any> {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'test', version: '1.0.0' } } })
  await app.register(healthPlugin)
  await app.ready()
  return app.swagger()
}

const probes = ['/health', '/health/ready', '/health/started']
const singles = ['/health/{name}', '/health/ready/{name}', '/health/started/{name}']

t.test('the probe routes document ?exclude (repeatable) and ?verbose; a single check\'s route ?verbose', async t => {
  const doc = await document(t)
  for (const path of probes) {
    const query = doc.paths[path].get.parameters.filter((p: any) => p.in === 'query')
    t.match(query, [
      { name: 'exclude', required: false, schema: { type: 'array', items: { type: 'string' } }, description: /not to run/ },
      { name: 'verbose', required: false, schema: { type: 'string' }, description: /`0` or `false`/ }
    ], path)
    t.equal(query.length, 2)
  }
  for (const path of singles) {
    const query = doc.paths[path].get.parameters.filter((p: any) => p.in === 'query')
    t.match(query, [{ name: 'verbose', required: false }], path)
    t.equal(query.length, 1, 'no ?exclude on one check')
  }
})

t.test('200 and 503 are documented as JSON, application/health+json and the verbose text', async t => {
  const doc = await document(t)
  for (const path of [...probes, ...singles]) {
    for (const code of ['200', '503']) {
      const content = doc.paths[path].get.responses[code].content
      t.same(Object.keys(content), ['application/json', 'application/health+json', 'text/plain'], `${path} ${code}`)
      const json = content['application/json'].schema
      // A 503 may also be the error body of a hook that answered before the checks (under-pressure shedding load).
      const report = code === '503' ? json.anyOf[0] : json
      t.equal(report.properties.timestamp.type, 'number', 'the report')
      if (code === '503') t.ok(json.anyOf[1].properties.statusCode, 'or a hook\'s error')
      const ietf = content['application/health+json'].schema
      t.same(ietf.required, ['status'])
      t.same(ietf.properties.status.anyOf?.map((s: any) => s.enum?.[0] ?? s.const) ?? ietf.properties.status.enum, ['pass', 'warn', 'fail'])
      t.same(ietf.properties.checks.additionalProperties.items.required, ['status', 'time'])
      for (const field of ['version', 'releaseId', 'output', 'serviceId', 'description']) t.ok(ietf.properties[field], `health+json ${field}`)
      t.equal(content['text/plain'].schema.type, 'string')
    }
  }
})

t.test('the documented query is not validated: odd shapes still get their answer, never a 400', async t => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin)
  app.addReadyCheck('db', () => true)
  const cases: Array<[string, number, string]> = [
    ['/health/ready?verbose=1&verbose=1', 200, 'text/plain; charset=utf-8'],
    ['/health/ready?exclude=db', 200, 'application/json; charset=utf-8'],
    ['/health/ready?exclude=&exclude=x&exclude=db', 200, 'application/json; charset=utf-8'],
    ['/health/ready?unknown=1', 200, 'application/json; charset=utf-8'],
    ['/health/ready/db?verbose&verbose', 200, 'text/plain; charset=utf-8'],
    ['/health/ready/db?exclude=db', 200, 'application/json; charset=utf-8']
  ]
  for (const [url, code, type] of cases) {
    const res = await app.inject(url)
    t.equal(res.statusCode, code, url)
    t.equal(res.headers['content-type'], type, url)
  }
})
