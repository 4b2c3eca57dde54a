// A rolling restart behind HAProxy (examples/haproxy.cfg): steady load from 20 concurrent clients, and one instance
// receives SIGTERM. With the plugin's gracefulShutdown on, readiness turns not_ready, HAProxy marks the instance
// DOWN before the delay ends and the app closes only then: no client request fails. The same scenario with graceful
// shutdown off (Node's default: SIGTERM ends the process at once) fails the requests that were in flight on it.
//
// Fairness: both runs use the same HAProxy configuration (the example's, with `retries 3` and `option redispatch`,
// only the check timing shortened), the same load and the same moment of SIGTERM. HAProxy retries a connection that
// is refused, so new requests to the dead instance are redispatched and succeed; what fails without graceful
// shutdown is the requests already sent to the instance when it died (HAProxy answers 502 for those).
import { Agent, request } from 'node:http'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import healthPlugin from '../../lib/index'
import { startHaproxy, waitForStatus, type Haproxy } from './helpers/haproxy'
import { freePort, startExample } from '../helpers/process'
import { requirePrograms } from './helpers/programs'

const TIMING = 'inter 200 fall 1 rise 1' // a check every 200 ms, shorter than the shutdown delay
const DELAY = 1500 // gracefulShutdown delay of the instance that is stopped
const CLIENTS = 20
const LOAD_MS = 5000
const SIGTERM_AT = 1500
const WORK_MS = 50 // every request takes this long in the app, so some are always in flight

interface Outcome {
  ok: number
  failed: number
  servedByA: number
  failures: Record<string, number>
  toDown: number
  exitAfter: number
  exit: { code: number | null, signal: NodeJS.Signals | null }
}

async function work (agent: Agent, url: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(`${url}/work`, { agent, signal: AbortSignal.timeout(5000) }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

async function scenario (t: Test, haproxy: Haproxy, portA: number, graceful: boolean): Promise<Outcome> {
  const a = await startExample(t, 'test/e2e/helpers/instance.ts', {
    PORT: String(portA),
    NAME: 'A',
    WORK_MS: String(WORK_MS),
    ...(graceful ? { GRACEFUL_SHUTDOWN_DELAY: String(DELAY) } : {})
  })
  await waitForStatus(haproxy, 'app1', 'UP')
  await waitForStatus(haproxy, 'app2', 'UP')

  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
  const outcome: Outcome = { ok: 0, failed: 0, servedByA: 0, failures: {}, toDown: 0, exitAfter: 0, exit: { code: null, signal: null } }
  const fail = (why: string): void => {
    outcome.failed++
    outcome.failures[why] = (outcome.failures[why] ?? 0) + 1
  }
  const end = performance.now() + LOAD_MS
  const client = async (): Promise<void> => {
    // Bounded: stops at `end`, and every request has a 5 s limit.
    while (performance.now() < end) {
      try {
        const res = await work(agent, haproxy.url)
        if (res.status !== 200) fail(`HTTP ${res.status}`)
        else {
          outcome.ok++
          if (JSON.parse(res.body).name === 'A') outcome.servedByA++
        }
      } catch (err) {
        fail((err as NodeJS.ErrnoException).code ?? (err as Error).name)
      }
    }
  }
  const clients = Array.from({ length: CLIENTS }, client)

  // The restart happens at a fixed point of the load, the same in both runs.
  await new Promise(resolve => setTimeout(resolve, SIGTERM_AT))
  const signalled = performance.now()
  const down = waitForStatus(haproxy, 'app1', 'DOWN', LOAD_MS)
  a.proc.child.kill('SIGTERM')
  outcome.exit = await a.proc.exited
  outcome.exitAfter = performance.now() - signalled
  outcome.toDown = await down // measured from just before the signal
  await Promise.all(clients)
  agent.destroy()
  return outcome
}

const bins = requirePrograms(t, ['haproxy'])
if (bins !== undefined) {
  t.test('SIGTERM under load: no failed request with graceful shutdown, failures without', async t => {
    // The instance that stays up throughout: in-process, without graceful shutdown (it must not listen for the test
    // process's signals).
    const b = Fastify()
    t.teardown(() => b.close())
    await b.register(healthPlugin)
    b.get('/work', async () => {
      await new Promise(resolve => setTimeout(resolve, WORK_MS))
      return { name: 'B' }
    })
    await b.listen({ port: 0, host: '127.0.0.1' })
    const address = b.server.address()
    const portB = typeof address === 'object' && address !== null ? address.port : 0
    // Instance A is a child process on a fixed port, so that it can be started again where HAProxy expects it.
    const portA = await freePort()
    const haproxy = await startHaproxy(t, bins.haproxy, [portA, portB], TIMING)

    const on = await scenario(t, haproxy, portA, true)
    t.comment(`graceful shutdown on: ${on.ok} ok, ${on.failed} failed ${JSON.stringify(on.failures)}, A served ${on.servedByA}, ` +
      `DOWN in HAProxy ${Math.round(on.toDown)} ms after SIGTERM, process exited after ${Math.round(on.exitAfter)} ms`)
    t.equal(on.failed, 0, 'graceful shutdown on: zero failed requests')
    t.ok(on.ok > 200, `graceful shutdown on: the load ran (${on.ok} requests)`)
    t.ok(on.servedByA > 0, 'A took part in the load before SIGTERM')
    t.equal(on.exit.signal, 'SIGTERM', 'the process still ends by SIGTERM, after closing')
    t.ok(on.exitAfter >= DELAY, `A closed only after the ${DELAY} ms delay (${Math.round(on.exitAfter)} ms)`)
    t.ok(on.toDown < DELAY, `HAProxy marked A DOWN (${Math.round(on.toDown)} ms) before the delay ended (${DELAY} ms)`)

    const off = await scenario(t, haproxy, portA, false)
    t.comment(`graceful shutdown off: ${off.ok} ok, ${off.failed} failed ${JSON.stringify(off.failures)}, A served ${off.servedByA}, ` +
      `DOWN in HAProxy ${Math.round(off.toDown)} ms after SIGTERM, process exited after ${Math.round(off.exitAfter)} ms`)
    t.ok(off.failed > 0, `graceful shutdown off: requests fail (${off.failed})`)
    t.ok(off.ok > 200, `graceful shutdown off: the load ran (${off.ok} requests)`)
    t.equal(off.exit.signal, 'SIGTERM')
    t.ok(off.exitAfter < DELAY, `without graceful shutdown A died at once (${Math.round(off.exitAfter)} ms)`)
  })
}
