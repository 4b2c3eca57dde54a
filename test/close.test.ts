import t from 'tap'
import type { HealthCheckContext } from '../lib/types'
import { buildApp } from './helpers/app'
import { deferred, settled, watchProcess } from './helpers/async'
import { runTs } from './helpers/process'

const CLOSING = 'cancelled: the server is closing'

t.test('app.close() ends the runs in progress at once, aborting their signals', async t => {
  const seen = watchProcess(t)
  const { app, log } = await buildApp(t, { timeout: 60_000 })
  const started = { health: deferred<void>(), ready: deferred<void>() }
  const contexts: HealthCheckContext[] = []
  const never = deferred()
  app.addHealthCheck('never', (ctx) => { contexts.push(ctx); started.health.resolve(); return never.promise })
  app.addHealthCheck('quick', () => true)
  // Never reads its signal before the close: the abort must still reach it when it does.
  let unreadContext: HealthCheckContext | undefined
  app.addReadyCheck('never-unread', (ctx) => { unreadContext = ctx; started.ready.resolve(); return new Promise<boolean>(() => {}) })
  const health = app.inject('/health')
  const ready = app.inject('/health/ready')
  const direct = app.runHealthChecks()
  await Promise.all([started.health.promise, started.ready.promise])
  await app.close()

  const [healthRes, readyRes, report] = await Promise.all([health, ready, direct])
  t.equal(healthRes.statusCode, 503)
  t.match(healthRes.json().checks, { never: { status: 'error', error: CLOSING }, quick: { status: 'pass' } })
  t.equal(readyRes.statusCode, 503)
  t.match(readyRes.json().checks['never-unread'], { status: 'error', error: CLOSING })
  t.same(report, healthRes.json(), 'runHealthChecks() shared the cancelled run')
  t.equal(contexts.length, 1, 'one run for all three callers')
  t.equal(contexts[0].signal.aborted, true)
  t.equal((contexts[0].signal.reason as DOMException).name, 'AbortError')
  t.equal((contexts[0].signal.reason as DOMException).message, CLOSING)
  t.equal(unreadContext?.signal.aborted, true, 'a signal first read after the cancellation is aborted')
  t.equal((unreadContext?.signal.reason as DOMException).name, 'AbortError')

  const linesBefore = log.lines.length
  never.resolve(true)
  await settled(never.promise)
  t.same(seen.rejections, [])
  t.same(seen.warnings, [])
  t.equal(log.lines.length, linesBefore, 'the late settlement after close logs nothing')
})

t.test('cancelling one run may settle another synchronously; each settles once', async t => {
  const { app } = await buildApp(t, { timeout: 60_000 })
  // A hand-made thenable that calls our callback synchronously: when the first check's signal aborts, it settles the
  // second check while the close is still cancelling the runs one by one.
  let settleSecond: ((value: unknown) => void) | undefined
  const started = deferred<void>()
  app.addHealthCheck('first', (ctx) => {
    ctx.signal.addEventListener('abort', () => { settleSecond?.(true) })
    return new Promise<boolean>(() => {})
  })
  app.addHealthCheck('second', () => ({
    then (onFulfilled: (value: unknown) => void) { settleSecond = onFulfilled; started.resolve() }
  }) as unknown as PromiseLike<boolean>)
  const pending = app.inject('/health')
  await started.promise
  await app.close()
  const checks = (await pending).json().checks
  t.match(checks.first, { status: 'error', error: CLOSING })
  t.match(checks.second, { status: 'pass' }, 'settled by the abort listener before its own cancellation')
})

t.test('closing with nothing in progress is fine, and a finished run is not touched', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', async () => true)
  const res = await app.inject('/health')
  await app.close()
  t.equal(res.json().checks.a.status, 'pass')
})

t.test('child process: a never-settling check (timeout 60 s), a pending inject, then await app.close(): exits at once', async t => {
  const child = await runTs(t, 'test/fixtures/runner-close-pending.ts')
  t.equal(child.signal, null, 'not killed')
  t.equal(child.code, 0, `exit code 0 (stderr: ${child.stderr})`)
  const lines = child.stdout.trim().split('\n').map(line => JSON.parse(line) as Record<string, any>)
  t.equal(lines.length, 2, 'the result line and the exit line')
  const [result, exit] = lines
  t.equal(result.statusCode, 503, 'the pending inject got a response')
  t.match(result.body.checks.never, { status: 'error', error: CLOSING })
  t.equal(result.aborted, true)
  t.equal(result.reason, 'AbortError')
  // The check's own timeout is 60 s: exiting within a second of the answer shows that nothing kept the process alive.
  t.ok(exit.exitAfter < 1000, `exited ${Math.round(exit.exitAfter)} ms after the answer`)
})

t.test('after close, the checks still run and time out when asked directly', async t => {
  const { app } = await buildApp(t, { timeout: 20 })
  app.addHealthCheck('async', async () => true)
  app.addHealthCheck('hangs', () => new Promise<boolean>(() => {}))
  await app.close()
  // The plugin's timer no longer holds the process open after close (the child-process test below proves it), so
  // the test keeps the event loop alive itself while it waits.
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const report = await app.runHealthChecks()
  t.equal(report.checks?.async.status, 'pass')
  t.match(report.checks?.hangs, { status: 'error', error: 'timed out after 20 ms' }, 'the timer still fires, unref()ed')
})

t.test('child process: a run started after close holds nothing open', async t => {
  const child = await runTs(t, 'test/fixtures/runner-after-close.ts')
  t.equal(child.signal, null, 'not killed')
  t.equal(child.code, 0, `exit code 0 (stderr: ${child.stderr})`)
  const exit = JSON.parse(child.stdout.trim())
  t.equal(exit.invoked, true, 'the check did run')
  // Its timeout is 60 s: exiting within a second shows that the pending run did not keep the process alive.
  t.ok(exit.exitAfter < 1000, `exited ${Math.round(exit.exitAfter)} ms after the run started`)
})

t.test('child process: every check hangs, await app.inject() gets its answer, then the process exits by itself', async t => {
  const child = await runTs(t, 'test/fixtures/runner-all-hang.ts')
  t.equal(child.signal, null, 'not killed')
  t.equal(child.code, 0, `exit code 0 (stderr: ${child.stderr})`)
  const lines = child.stdout.trim().split('\n').map(line => JSON.parse(line) as Record<string, any>)
  t.equal(lines.length, 2, 'the result line (so the awaited injects resolved) and the exit line')
  const [result, exit] = lines
  t.equal(result.health[0], 503)
  t.match(result.health[1].checks, {
    'hang-promise': { status: 'error', error: 'timed out after 50 ms' },
    'hang-thenable': { status: 'error', error: 'timed out after 30 ms' }
  })
  t.equal(result.ready[0], 503)
  t.match(result.ready[1].checks['hang-ready'], { status: 'error', error: 'timed out after 50 ms' })
  t.ok(exit.exitAfter < 1000, `exited ${Math.round(exit.exitAfter)} ms after the answer`)
})
