// HAProxy with examples/haproxy.cfg in front of two instances: when one instance's readiness fails, HAProxy's
// active checks (GET /health/ready, expect 200) mark it DOWN and all traffic goes to the other; when it recovers it
// is UP again and gets traffic again.
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import { startHaproxy, waitForStatus } from './helpers/haproxy'
import { get } from '../helpers/net'
import { requirePrograms } from './helpers/programs'

// The example checks every 2 s and needs 2 results in a row (fall 2 rise 2); the test keeps fall/rise and only
// shortens the interval.
const TIMING = 'inter 100 fall 2 rise 2'

async function instance (t: Test, name: string): Promise<{ app: FastifyInstance, port: number, setReady: (ready: boolean) => void }> {
  let ready = true
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(healthPlugin)
  // Stands in for a real readiness condition (a dependency, a warm-up) that the test can turn off and on.
  app.addReadyCheck('dependency', () => ready)
  app.get('/whoami', async () => ({ name }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, port, setReady: (value) => { ready = value } }
}
/** Sends `n` requests one after the other through HAProxy; returns how many each instance answered, and failures. */
async function spread (url: string, n: number): Promise<{ app1: number, app2: number, failed: number }> {
  const counts = { app1: 0, app2: 0, failed: 0 }
  for (let i = 0; i < n; i++) {
    try {
      const res = await get(`${url}/whoami`, { timeoutMs: 2000 })
      if (res.status !== 200) counts.failed++
      else counts[JSON.parse(res.body).name as 'app1' | 'app2']++
    } catch {
      counts.failed++
    }
  }
  return counts
}

const bins = requirePrograms(t, ['haproxy'])
if (bins !== undefined) {
  t.test('a failing readiness check takes an instance out of HAProxy\'s rotation and back', async t => {
    const one = await instance(t, 'app1')
    const two = await instance(t, 'app2')
    const haproxy = await startHaproxy(t, bins.haproxy, [one.port, two.port], TIMING)

    await waitForStatus(haproxy, 'app1', 'UP')
    await waitForStatus(haproxy, 'app2', 'UP')
    const before = await spread(haproxy.url, 20)
    t.same(before, { app1: 10, app2: 10, failed: 0 }, 'both UP: round robin, 10 each')

    one.setReady(false)
    const toDown = await waitForStatus(haproxy, 'app1', 'DOWN')
    t.comment(`app1 DOWN ${Math.round(toDown)} ms after its readiness failed (inter 100 fall 2)`)
    t.ok(toDown < 1000, `marked DOWN within 1 s (took ${Math.round(toDown)} ms)`)
    const row = (await haproxy.stats()).find(r => r.pxname === 'app' && r.svname === 'app1')
    t.equal(row?.check_status, 'L7STS', 'HAProxy saw a layer-7 status failure')
    t.equal(row?.check_code, '503', 'with the readiness endpoint\'s 503')
    t.equal((await haproxy.serverStatus()).app2, 'UP', 'app2 stays UP')
    const during = await spread(haproxy.url, 20)
    t.same(during, { app1: 0, app2: 20, failed: 0 }, 'app1 DOWN: all 20 requests go to app2, none fails')

    one.setReady(true)
    const toUp = await waitForStatus(haproxy, 'app1', 'UP')
    t.comment(`app1 UP ${Math.round(toUp)} ms after its readiness recovered (inter 100 rise 2)`)
    t.ok(toUp < 1000, `marked UP within 1 s (took ${Math.round(toUp)} ms)`)
    const after = await spread(haproxy.url, 20)
    t.same(after, { app1: 10, app2: 10, failed: 0 }, 'app1 UP again: traffic shared again')
  })
}
