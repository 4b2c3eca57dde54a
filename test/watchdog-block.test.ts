// The watchdog against a main thread really blocked (a child process, so that the block does not stall this test
// process): real time is the subject here. Busy (a block shorter than stuckAfter): liveness 200 from the last report
// with a main_thread warn, readiness 503 after the plugin's timeout. Stuck (longer than stuckAfter): liveness 503
// with main_thread fail, and the main thread's own answers again once the block ends. And a process whose app
// closes ends by itself.
import t, { type Test } from 'tap'
import { get, type HttpAnswer } from './helpers/net'
import { distBuilt, pollUntil, startTs, type Proc } from './helpers/process'

const FIXTURE = 'test/fixtures/watchdog-app.ts'
const TIMEOUT = 300

async function start (t: Test, env: Record<string, string>): Promise<{ proc: Proc, app: string, watchdog: string }> {
  t.ok(distBuilt(), 'dist/ is built (npm run build): the fixture imports fastify-health')
  const proc = startTs(t, FIXTURE, { TIMEOUT: String(TIMEOUT), ...env })
  const [, app] = await proc.waitFor(/app: (http:\/\/127\.0\.0\.1:\d+)\n/)
  const [, port] = await proc.waitFor(/watchdog listening on 127\.0\.0\.1 port (\d+)/)
  return { proc, app, watchdog: `http://127.0.0.1:${port}` }
}

/** The watchdog's answer once it is the main thread's own (no main_thread entry). */
async function ownAnswer (url: string): Promise<HttpAnswer> {
  return await pollUntil(`the main thread's answer from ${url}`, async () => {
    const answer = await get(url)
    return answer.json.checks.main_thread === undefined ? answer : undefined
  }, 10_000, 20)
}

t.test('a 3 s block, stuckAfter 10 s: busy, liveness 200 with main_thread warn, readiness 503 after the timeout', async t => {
  const { app, watchdog } = await start(t, {})
  // The main thread's own answer, which the watchdog keeps as the last report (a probe that finds the main thread
  // of a loaded machine more than 20 ms late is answered as busy: asked again).
  const before = await ownAnswer(watchdog + '/health')
  t.equal(before.status, 200)

  t.equal((await get(app + '/block?ms=3000')).body, 'blocking')
  const busy = await get(watchdog + '/health')
  // Margin: the watchdog waits 20 ms for the main thread to take the request up; 200 ms covers a loaded machine.
  t.ok(busy.ms < 200, `liveness answered in ${Math.round(busy.ms)} ms (< 200)`)
  t.equal(busy.status, 200)
  t.equal(busy.json.status, 'healthy')
  t.same(busy.json.checks.db, before.json.checks.db, 'the last liveness report')
  t.match(busy.json.checks.main_thread, { status: 'warn', observedUnit: 'ms', output: /^busy: / })
  t.ok(busy.json.checks.main_thread.observedValue >= 0, 'observedValue: ms since the main thread last answered')

  const ready = await get(watchdog + '/health/ready')
  // Margin: 50 ms of grace past the timeout, and 400 ms for a loaded machine.
  t.ok(ready.ms >= TIMEOUT && ready.ms < TIMEOUT + 450, `readiness answered in ${Math.round(ready.ms)} ms (timeout ${TIMEOUT} ms)`)
  t.equal(ready.status, 503)
  t.match(ready.json, { status: 'not_ready', checks: { main_thread: { status: 'fail', error: /^busy: / } } })
  t.same(Object.keys(ready.json.checks), ['main_thread'])

  // The block ends: the main port answers again, and the watchdog gives its answers again.
  await get(app + '/health', { timeoutMs: 10_000 })
  const after = await ownAnswer(watchdog + '/health')
  t.equal(after.status, 200)
  t.same(Object.keys(after.json.checks), ['db'], 'the main thread\'s own answer again')
})

t.test('a block longer than stuckAfter: liveness 503 with main_thread fail, then 200 once the block ends', async t => {
  const { app, watchdog } = await start(t, { STUCK_AFTER: '500' })
  t.equal((await get(app + '/block?ms=2500')).body, 'blocking')
  const blockedAt = Date.now()
  const stuck = await pollUntil('watchdog liveness 503', async () => {
    const answer = await get(watchdog + '/health')
    return answer.status === 503 ? answer : undefined
  }, 5000, 20)
  t.match(stuck.json, { status: 'unhealthy', checks: { main_thread: { status: 'fail', error: /^stuck: no heartbeat for \d+\.\d s$/ } } })
  t.ok(stuck.ms < 200, `answered at once (${Math.round(stuck.ms)} ms)`)
  const ready = await get(watchdog + '/health/ready')
  t.match(ready.json, { status: 'not_ready', checks: { main_thread: { status: 'fail', error: /^stuck: / } } })
  t.equal(ready.status, 503)

  const recovered = await ownAnswer(watchdog + '/health')
  t.equal(recovered.status, 200)
  t.ok(Date.now() - blockedAt >= 2400, 'after the block ended')
  t.same(Object.keys(recovered.json.checks), ['db'])
})

t.test('a process whose app closes ends by itself: the watchdog does not hold it open', async t => {
  const proc = startTs(t, FIXTURE, { CLOSE: '1' })
  await proc.waitFor(/closed\n/)
  const exit = await Promise.race([proc.exited, new Promise<null>(resolve => setTimeout(() => { resolve(null) }, 5000).unref())])
  t.same(exit === null ? null : { code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'exited with code 0 within 5 s of closing')
})
