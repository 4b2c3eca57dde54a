import t from 'tap'
import { startExample, stop } from './helpers/process'

t.test('examples/basic.ts starts, prints both URLs and answers them', async t => {
  const { proc, baseUrl } = await startExample(t, 'examples/basic.ts')
  t.match(proc.output(), /Health check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\n/)
  t.match(proc.output(), /Ready check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\/ready\n/)

  const health = await fetch(`${baseUrl}/health`)
  t.equal(health.status, 200)
  const body = await health.json() as { status: string, checks: Record<string, unknown> }
  t.equal(body.status, 'healthy')
  t.same(Object.keys(body.checks), ['database', 'cache'])

  const ready = await fetch(`${baseUrl}/health/ready`)
  t.equal(ready.status, 200)
  t.equal(((await ready.json()) as { checks: Record<string, { status: string }> }).checks.migrations.status, 'pass')

  await stop(proc)
})
