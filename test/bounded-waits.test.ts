// The time bounds on user callbacks (exposeDetails, a check's close()) in a process with nothing else alive: the bound
// holds the process open until it ends, so an awaited probe or app.close() answers and a signal waits for it. Child
// processes (test/fixtures/bounded-waits.ts), in real time.
import t, { type Test } from 'tap'
import { startTs } from './helpers/process'

/** Runs test/fixtures/bounded-waits.ts in MODE to its end (killed by the test's teardown if it hangs). */
async function runFixture (t: Test, mode: string): Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }> {
  const proc = startTs(t, 'test/fixtures/bounded-waits.ts', { MODE: mode })
  const { code, signal } = await proc.exited
  return { code, signal, stdout: proc.stdout(), stderr: proc.stderr() }
}

t.test('child process: an exposeDetails policy that never settles, with nothing else alive: await app.inject() answers at the bound', async t => {
  const child = await runFixture(t, 'details')
  t.same({ code: child.code, signal: child.signal }, { code: 0, signal: null }, `ended by itself (stderr: ${child.stderr})`)
  t.same(JSON.parse(child.stdout), { statusCode: 200, keys: ['status', 'timestamp'] }, 'answered, without details')
  t.match(child.stderr, 'fastify-health: exposeDetails did not settle within 200 ms; answering without details')
})

t.test('child process: a close() that never settles, with nothing else alive: await app.close() resolves at closeTimeout', async t => {
  const child = await runFixture(t, 'close')
  t.same({ code: child.code, signal: child.signal }, { code: 0, signal: null }, `ended by itself (stderr: ${child.stderr})`)
  const { closedAfter } = JSON.parse(child.stdout) as { closedAfter: number }
  // Real time (a child process): the bound is 300 ms; 5 s of margin for a loaded machine.
  t.ok(closedAfter >= 299 && closedAfter < 5300, `app.close() resolved after the bound (${Math.round(closedAfter)} ms)`)
  t.match(child.stderr, 'fastify-health: a check\'s close() did not settle within 300 ms; closing goes on')
})

t.test('SIGTERM with a check\'s close() that never settles: the process waits for closeTimeout, logs the hang, then ends by the signal', async t => {
  const fixture = startTs(t, 'test/fixtures/bounded-waits.ts', { MODE: 'signal' })
  await fixture.waitFor(/^http:\/\/127\.0\.0\.1:\d+\n/m)
  const signalledAt = Date.now()
  fixture.child.kill('SIGTERM')
  const exit = await fixture.exited
  t.same({ code: exit.code, signal: exit.signal }, { code: null, signal: 'SIGTERM' }, `ended by the signal (stderr: ${fixture.stderr()})`)
  // Real time (a child process): closeTimeout is 500 ms.
  t.ok(exit.at - signalledAt >= 500, `not before closeTimeout (${exit.at - signalledAt} ms)`)
  t.match(fixture.stderr(), 'fastify-health: a check\'s close() did not settle within 500 ms; closing goes on', 'the hang is logged')
})
