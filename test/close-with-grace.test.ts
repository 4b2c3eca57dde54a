// The app's exit left to close-with-grace (the real package), in a child process: one SIGTERM reaches every listener
// once, readiness turns not_ready for the delay while the app keeps serving, and close-with-grace's handler runs to
// its end (no "second SIGTERM" exit). Delays are real here (the subject is a real signal in a real process); each
// assertion waits for the line the child prints for the event it is about.
import t, { type Test } from 'tap'
import { get } from './helpers/net'
import { startTs, type Proc } from './helpers/process'

// Long enough for the probes below to be answered during the delay on a loaded machine (they take a few ms each).
const DELAY = 1500

async function startApp (t: Test, mode: 'recipe' | 'both' | 'plain'): Promise<{ app: Proc, url: string }> {
  const app = startTs(t, 'test/fixtures/close-with-grace-app.ts', { MODE: mode, DELAY: String(DELAY) })
  const [, url] = await app.waitFor(/^(http:\/\/127\.0\.0\.1:\d+)\n/m)
  return { app, url }
}

const count = (text: string, line: string): number => text.split('\n').filter(l => l === line).length

for (const mode of ['recipe', 'both'] as const) {
  const what = mode === 'recipe'
    ? 'the README recipe (gracefulShutdown off, the handler awaits app.health.shutdown({ delay }))'
    : 'gracefulShutdown on and a handler awaiting app.health.shutdown()'
  t.test(`close-with-grace with ${what}`, async t => {
    const { app, url } = await startApp(t, mode)
    t.equal((await get(`${url}/health/ready`)).status, 200, 'ready before the signal')

    const signalledAt = Date.now()
    app.child.kill('SIGTERM')
    const shuttingDown = await app.waitForJson(line => typeof line.msg === 'string' && line.msg.includes('readiness is now not_ready'))
    t.equal(shuttingDown.delay, DELAY, 'the delay asked for')

    const ready = await get(`${url}/health/ready`)
    t.equal(ready.status, 503, 'readiness is not_ready during the delay')
    t.same(Object.keys(ready.json.checks), ['shutdown'])
    t.equal((await get(`${url}/health`)).status, 200, 'liveness still passes')
    t.same((await get(`${url}/other`)).json, { other: true }, 'the app keeps serving')

    const exit = await app.exited
    const out = app.stdout()
    t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'close-with-grace ended the process with code 0')
    t.ok(exit.at - signalledAt >= DELAY, `after the delay (${exit.at - signalledAt} ms)`)
    t.equal(count(out, 'own SIGTERM listener ran'), 1, 'the app\'s own listener ran once')
    t.equal(count(out, 'close-with-grace handler: SIGTERM'), 1, 'close-with-grace got the signal once')
    t.equal(count(out, 'app closed'), 1, 'the app closed once')
    t.match(out, /app closed\nclose-with-grace cleanup done\n/, 'the handler ran to its end, after the app closed')
    t.notMatch(app.stderr(), /second SIGTERM|killed by timeout/, 'no second signal, no timeout')
    if (mode === 'both') t.equal(app.stderr().split('\n').filter(l => l.includes('readiness is now not_ready')).length, 1, 'one shutdown sequence for both callers')
  })
}

t.test('close-with-grace\'s plain handler (await app.close()) with gracefulShutdown: true', async t => {
  const { app, url } = await startApp(t, 'plain')
  t.equal((await get(`${url}/health/ready`)).status, 200)
  const signalledAt = Date.now()
  app.child.kill('SIGTERM')
  const exit = await app.exited
  const out = app.stdout()
  t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'close-with-grace ended the process with code 0, not the signal raised again')
  t.equal(count(out, 'own SIGTERM listener ran'), 1, 'the app\'s own listener ran once')
  t.equal(count(out, 'close-with-grace handler: SIGTERM'), 1, 'close-with-grace got the signal once')
  t.match(out, /app closed\nclose-with-grace cleanup done\n/, 'the handler ran to its end')
  t.notMatch(app.stderr(), /second SIGTERM|killed by timeout/)
  // The handler's app.close() starts closing at once, which ends the plugin's delay: no drain window with this handler.
  t.ok(exit.at - signalledAt < 5000, `closed without waiting for the 5 s delay (${exit.at - signalledAt} ms)`)
})
