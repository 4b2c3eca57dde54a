import t from 'tap'
import { get } from './helpers/net'
import { startExample, stop } from './helpers/process'

t.test('examples/basic.ts starts, prints both URLs and answers them', async t => {
  const { proc, baseUrl } = await startExample(t, 'examples/basic.ts')
  // Each line is waited for: the second may arrive in a later chunk than the first.
  const [health] = await proc.waitFor(/Health check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\n/)
  const [ready] = await proc.waitFor(/Ready check endpoint: http:\/\/127\.0\.0\.1:\d+\/health\/ready\n/)
  t.equal(health, `Health check endpoint: ${baseUrl}/health\n`)
  t.equal(ready, `Ready check endpoint: ${baseUrl}/health/ready\n`)

  const live = await get(`${baseUrl}/health`)
  t.equal(live.status, 200)
  t.equal(live.json.status, 'healthy')
  t.same(Object.keys(live.json.checks), ['database', 'cache'])

  const readiness = await get(`${baseUrl}/health/ready`)
  t.equal(readiness.status, 200)
  t.equal(readiness.json.checks.migrations.status, 'pass')

  await stop(proc)
})
