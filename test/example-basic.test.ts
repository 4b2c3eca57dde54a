import t from 'tap'
import { once } from 'node:events'
import { startExample } from './helpers/example'

t.test('examples/basic.ts starts, prints both URLs and answers them', async t => {
  const example = await startExample(t, 'basic.ts')
  t.match(example.output(), /Health check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\n/)
  t.match(example.output(), /Ready check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\/ready\n/)

  const health = await fetch(`${example.url}/health`)
  t.equal(health.status, 200)
  const body = await health.json() as { status: string, checks: Record<string, unknown> }
  t.equal(body.status, 'healthy')
  t.same(Object.keys(body.checks), ['database', 'cache'])

  const ready = await fetch(`${example.url}/health/ready`)
  t.equal(ready.status, 200)
  t.equal(((await ready.json()) as { checks: Record<string, { status: string }> }).checks.migrations.status, 'pass')

  example.child.kill('SIGTERM')
  await once(example.child, 'exit')
})
