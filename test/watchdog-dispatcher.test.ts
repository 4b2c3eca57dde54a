// The watchdog's decisions, without a thread: which probe requests it forwards, and what it answers for a main thread
// that answers, is busy (no answer in time) or is stuck (no heartbeat for longer than stuckAfter).
import t, { type Test } from 'tap'
import { ACK_WITHIN, ANSWER_GRACE, Dispatcher, MAX_PENDING } from '../lib/watchdog/dispatcher'
import { forwardedUrl, madeUpAnswer, matchRoute } from '../lib/watchdog/answers'
import type { Answer } from '../lib/watchdog/answers'
import type { ForwardedRequest, MainMessage } from '../lib/watchdog/protocol'
import { fakeClock } from './helpers/clock'

const paths = { health: '/health', ready: '/health/ready', startup: '/health/started' }
const TIMEOUT = 300

function setup (t: Test, options: { details?: boolean, stuckAfter?: number } = {}) {
  const clock = fakeClock(t)
  const posted: ForwardedRequest[] = []
  let age = 0
  const dispatcher = new Dispatcher({
    config: { timeout: TIMEOUT, stuckAfter: options.stuckAfter ?? 1000, paths, details: options.details ?? true, service: { version: '1.2.3' } },
    post: request => { posted.push(request) },
    heartbeatAge: () => age
  })
  const answers: Answer[] = []
  const ask = (url: string, headers: Record<string, string> = {}, method = 'GET'): void => {
    dispatcher.handle({ method, url, headers }, answer => { answers.push(answer) })
  }
  const json = (answer: Answer): any => JSON.parse(String(answer.body))
  const mainAnswers = (message: MainMessage): void => { dispatcher.receive(message) }
  const answerFromMain = (id: number, status: number, body: unknown, type = 'application/json; charset=utf-8'): void => {
    mainAnswers({ type: 'answer', id, status, headers: { 'content-type': type, 'cache-control': 'no-store', date: 'x', connection: 'keep-alive' }, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) })
  }
  return { clock, posted, dispatcher, answers, ask, json, mainAnswers, answerFromMain, setAge: (ms: number) => { age = ms } }
}

const healthyReport = { status: 'healthy', timestamp: 1, checks: { db: { status: 'pass', timestamp: 1, duration: 1 }, cache: { status: 'fail', timestamp: 1, duration: 1, critical: false } } }

t.test('probe paths: static routes first, then one check of a kind; anything else is not the watchdog\'s', async t => {
  t.same(matchRoute(paths, '/health'), { kind: 'health', name: null })
  t.same(matchRoute(paths, '/health/ready'), { kind: 'ready', name: null }, 'a static route wins over the liveness check named "ready"')
  t.same(matchRoute(paths, '/health/started'), { kind: 'startup', name: null })
  t.same(matchRoute(paths, '/health/db%20main'), { kind: 'health', name: 'db main' })
  t.same(matchRoute(paths, '/health/ready/queue'), { kind: 'ready', name: 'queue' })
  t.same(matchRoute(paths, '/health/%E0%A4%A'), { kind: 'health', name: '%E0%A4%A' }, 'a malformed escape is kept as it is')
  t.equal(matchRoute(paths, '/health/'), null, 'no name')
  t.equal(matchRoute(paths, '/health/a/b'), null, 'two segments')
  t.equal(matchRoute(paths, '/other'), null)
  t.same(matchRoute({ health: '/', ready: '/ready/', startup: '/started' }, '/x'), null, 'under "/" there are no check routes')
  t.same(matchRoute({ health: '/', ready: '/ready/', startup: '/started' }, '/ready/x'), { kind: 'ready', name: 'x' }, 'a path with a trailing slash')
})

t.test('the URL forwarded is rebuilt from the route: no dot segment or backslash reaches another route', async t => {
  const { posted, answers, ask } = setup(t)
  ask('/health/..')
  ask('/health/%2E%2e')
  ask('/health/.')
  t.same(answers.map(a => a.status), [404, 404, 404], 'a dot segment is not a check name (a URL parser would resolve it)')
  ask('/health/..%5Cadmin')
  ask('/health/db%20main?verbose&x=/../..')
  ask('/health/ready/%71ueue')
  t.same(posted.map(p => p.url), ['/health/..%5Cadmin', '/health/db%20main?verbose&x=/../..', '/health/ready/queue'])
  t.equal(forwardedUrl({ ...paths, ready: '/ready/' }, { kind: 'ready', name: 'x' }, ''), '/ready/x', 'under a path with a trailing slash')
  t.equal(forwardedUrl({ ...paths, ready: '/ready/' }, { kind: 'ready', name: null }, '?verbose'), '/ready/?verbose')
})

t.test('a request the main thread answers in time gets its answer, without the connection headers', async t => {
  const { posted, answers, ask, answerFromMain, mainAnswers, clock } = setup(t)
  ask('/health?verbose', { accept: 'text/plain', connection: 'close', host: 'x' })
  t.equal(posted.length, 1)
  t.same(posted[0], { type: 'request', id: 1, method: 'GET', url: '/health?verbose', headers: { accept: 'text/plain', host: 'x' } }, 'forwarded without hop-by-hop headers')
  mainAnswers({ type: 'ack', id: 1 })
  await clock.tickAsync(TIMEOUT)
  t.equal(answers.length, 0, 'taken up: waits for the answer up to timeout + grace')
  answerFromMain(1, 503, 'text', 'text/plain')
  t.same(answers, [{ status: 503, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' }, body: Buffer.from('text') }])
  mainAnswers({ type: 'answer', id: 1, status: 200, headers: {}, body: new Uint8Array() })
  mainAnswers({ type: 'ack', id: 99 })
  t.equal(answers.length, 1, 'messages for requests already answered are ignored')
})

t.test('liveness, busy: not taken up in time, answered from the last report with a main_thread warn entry', async t => {
  const { answers, ask, answerFromMain, mainAnswers, clock, json } = setup(t)
  ask('/health')
  answerFromMain(1, 200, healthyReport)
  await clock.tickAsync(500)
  ask('/health')
  await clock.tickAsync(ACK_WITHIN - 1)
  t.equal(answers.length, 1)
  await clock.tickAsync(1)
  t.equal(answers.length, 2, `answered after ${ACK_WITHIN} ms`)
  const busy = answers[1]
  t.equal(busy.status, 200)
  t.equal(busy.headers['cache-control'], 'no-store')
  t.equal(busy.headers['content-type'], 'application/json; charset=utf-8')
  const body = json(busy)
  t.equal(body.status, 'healthy')
  t.same(Object.keys(body.checks), ['db', 'cache', 'main_thread'], 'the last report\'s entries, then main_thread')
  t.same(body.checks.db, healthyReport.checks.db)
  t.match(body.checks.main_thread, { status: 'warn', observedValue: 500 + ACK_WITHIN, observedUnit: 'ms', output: `busy: the main thread did not answer within ${ACK_WITHIN} ms`, duration: 0 })
  t.equal(busy.headers['content-length'], String(Buffer.byteLength(String(busy.body))))

  // The late answer becomes the last report.
  answerFromMain(2, 503, { status: 'unhealthy', timestamp: 2, checks: { db: { status: 'fail', timestamp: 2, duration: 1 } } })
  t.equal(answers.length, 2, 'a late answer is not sent')
  ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  t.equal(answers[2].status, 503, 'warn counts as passing: the code is the last report\'s')
  t.equal(json(answers[2]).status, 'unhealthy')
  t.equal(json(answers[2]).checks.main_thread.observedValue, ACK_WITHIN, 'counted from the late answer')

  ask('/health')
  mainAnswers({ type: 'ack', id: 4 })
  await clock.tickAsync(TIMEOUT + ANSWER_GRACE)
  t.equal(json(answers[3]).checks.main_thread.output, `busy: the main thread did not answer within ${TIMEOUT + ANSWER_GRACE} ms`, 'taken up but not answered in time')
})

t.test('liveness while an earlier probe still waits to be taken up: answered as busy at once, not forwarded', async t => {
  const { answers, ask, posted, mainAnswers, clock, json } = setup(t)
  ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  ask('/health')
  t.equal(posted.length, 2, 'forwarded: the first has waited ACK_WITHIN, not longer')
  await clock.tickAsync(5)
  ask('/health')
  t.equal(posted.length, 2, 'not forwarded')
  t.equal(answers.length, 2, 'answered at once')
  t.match(json(answers[1]).checks.main_thread, { status: 'warn', output: `busy: the main thread has not taken up a probe sent ${ACK_WITHIN + 5} ms ago` })
  ask('/health/ready')
  t.equal(posted.length, 3, 'readiness is forwarded all the same: it waits for the answer up to timeout')
  mainAnswers({ type: 'ack', id: 1 })
  mainAnswers({ type: 'ack', id: 2 })
  mainAnswers({ type: 'ack', id: 3 })
  ask('/health')
  t.equal(posted.length, 4, 'once the main thread took them up, probes are forwarded again')
})

t.test('liveness, busy, before any answer: the main_thread entry alone', async t => {
  const { answers, ask, clock, json } = setup(t)
  await clock.tickAsync(100)
  ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  t.equal(answers[0].status, 200)
  t.same(Object.keys(json(answers[0]).checks), ['main_thread'])
  t.equal(json(answers[0]).checks.main_thread.observedValue, 100 + ACK_WITHIN, 'since the watchdog started')
})

t.test('only a JSON answer of the liveness route becomes the last report', async t => {
  const { answers, ask, answerFromMain, clock, json } = setup(t)
  ask('/health')
  answerFromMain(1, 200, healthyReport)
  ask('/health', { accept: 'application/health+json' })
  answerFromMain(2, 200, { status: 'pass' }, 'application/health+json')
  ask('/health?verbose')
  answerFromMain(3, 200, '[+]x ok', 'text/plain; charset=utf-8')
  ask('/health')
  answerFromMain(4, 200, '{not json')
  ask('/health')
  answerFromMain(5, 200, '"a string"')
  ask('/health/db')
  answerFromMain(6, 200, { status: 'healthy', checks: {} })
  ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  t.same(Object.keys(json(answers[6]).checks), ['db', 'cache', 'main_thread'], 'still the first report')
})

t.test('a summary without details as last report: the status is kept', async t => {
  const { answers, ask, answerFromMain, clock, json } = setup(t)
  ask('/health')
  answerFromMain(1, 503, { status: 'unhealthy', timestamp: 1 })
  ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  t.equal(answers[1].status, 503)
  t.same(Object.keys(json(answers[1]).checks), ['main_thread'])
})

t.test('readiness and startup wait for timeout + grace, then 503 with a failing main_thread entry', async t => {
  const { answers, ask, clock, json } = setup(t)
  ask('/health/ready')
  ask('/health/started')
  await clock.tickAsync(TIMEOUT + ANSWER_GRACE - 1)
  t.equal(answers.length, 0)
  await clock.tickAsync(1)
  t.same(answers.map(a => a.status), [503, 503])
  t.same(answers.map(a => json(a).status), ['not_ready', 'starting'])
  t.match(json(answers[0]).checks, { main_thread: { status: 'fail', error: `busy: the main thread did not answer within ${TIMEOUT + ANSWER_GRACE} ms`, duration: 0 } })
  t.same(Object.keys(json(answers[0]).checks), ['main_thread'])
})

t.test('stuck: no heartbeat for longer than stuckAfter, every probe route answers 503 at once', async t => {
  const { answers, ask, posted, setAge, json } = setup(t, { stuckAfter: 1000 })
  setAge(1000)
  ask('/health')
  t.equal(posted.length, 1, 'at stuckAfter exactly: still forwarded')
  setAge(12_345)
  ask('/health')
  ask('/health/ready')
  ask('/health/started')
  t.equal(posted.length, 1, 'not forwarded')
  t.same(answers.map(a => a.status), [503, 503, 503])
  t.same(answers.map(a => json(a).status), ['unhealthy', 'not_ready', 'starting'])
  t.match(json(answers[0]).checks, { main_thread: { status: 'fail', error: 'stuck: no heartbeat for 12.3 s' } })
  t.same(Object.keys(json(answers[0]).checks), ['main_thread'])
})

t.test('the main thread cannot answer (the app is closing): answered for it at once', async t => {
  const { answers, ask, mainAnswers, json, clock } = setup(t)
  ask('/health/ready')
  mainAnswers({ type: 'failed', id: 1 })
  t.equal(answers[0].status, 503)
  t.equal(json(answers[0]).checks.main_thread.error, 'busy: the main thread could not answer')
  mainAnswers({ type: 'failed', id: 1 })
  t.equal(answers.length, 1)
  ask('/health/ready')
  await clock.tickAsync(TIMEOUT + ANSWER_GRACE)
  mainAnswers({ type: 'failed', id: 2 })
  t.equal(answers.length, 2, 'a failure after the watchdog answered is not answered again')
})

t.test('past MAX_PENDING unanswered requests, new probes are answered without forwarding', async t => {
  const { answers, ask, posted, answerFromMain, clock, json } = setup(t)
  for (let i = 0; i < MAX_PENDING; i++) ask('/health')
  await clock.tickAsync(ACK_WITHIN)
  t.equal(answers.length, MAX_PENDING, 'each answered as busy')
  ask('/health/ready')
  t.equal(posted.length, MAX_PENDING, 'the next one is not forwarded')
  t.equal(json(answers[MAX_PENDING]).checks.main_thread.error, `busy: ${MAX_PENDING} probes are waiting for the main thread`)
  answerFromMain(1, 200, healthyReport)
  ask('/health/ready')
  t.equal(posted.length, MAX_PENDING + 1, 'forwarded again once one is answered')
  ask('/health/ready')
  t.equal(posted.length, MAX_PENDING + 1, 'full again')
  await clock.tickAsync(1000 - 1)
  ask('/health/ready')
  t.equal(posted.length, MAX_PENDING + 1, 'an unanswered request holds its place for stuckAfter after the watchdog answered it')
  await clock.tickAsync(1)
  ask('/health/ready')
  t.equal(posted.length, MAX_PENDING + 2, 'then gives it up: a request the main thread never answers does not block forwarding for ever')
})

t.test('other methods and paths: Fastify\'s 404, not forwarded', async t => {
  const { answers, ask, posted, json } = setup(t)
  ask('/health', {}, 'POST')
  ask('/metrics')
  t.equal(posted.length, 0)
  t.same(answers.map(a => a.status), [404, 404])
  t.same(json(answers[0]), { message: 'Route POST:/health not found', error: 'Not Found', statusCode: 404 })
  t.same(json(answers[1]), { message: 'Route GET:/metrics not found', error: 'Not Found', statusCode: 404 })
  t.equal(answers[1].headers['content-type'], 'application/json; charset=utf-8')
  const dispatcher = new Dispatcher({ config: { timeout: 1, stuckAfter: 1, paths, details: true, service: {} }, post: () => {}, heartbeatAge: () => 0 })
  dispatcher.handle({ headers: {} }, answer => { t.equal(answer.status, 404, 'no method or URL: GET /') })
})

t.test('check routes, busy or stuck', async t => {
  const { answers, ask, answerFromMain, clock, json, setAge } = setup(t)
  ask('/health')
  answerFromMain(1, 200, healthyReport)
  ask('/health/db')
  ask('/health/cache')
  ask('/health/unknown')
  await clock.tickAsync(ACK_WITHIN)
  t.same(answers.slice(1).map(a => a.status), [200, 503, 200], 'by the check\'s last entry (a non-critical fail too), or main_thread alone')
  t.same(answers.slice(1).map(a => Object.keys(json(a).checks)), [['db', 'main_thread'], ['cache', 'main_thread'], ['main_thread']])
  ask('/health/ready/queue')
  await clock.tickAsync(TIMEOUT + ANSWER_GRACE)
  t.equal(answers[4].status, 503)
  setAge(5000)
  ask('/health/db')
  t.equal(answers[5].status, 503)
  t.equal(json(answers[5]).checks.main_thread.status, 'fail')
})

t.test('the answers made up follow exposeDetails (a boolean) and the formats', async t => {
  const route = { kind: 'health' as const, name: null }
  const situation = { reason: 'busy' as const, text: 'busy: x', sinceAnswer: 42.4, last: healthyReport as any }
  const asked = { method: 'GET', url: '/health', accept: undefined, verbose: false }
  const hidden = madeUpAnswer(route, situation, asked, { details: false, service: {} })
  t.same(Object.keys(JSON.parse(String(hidden.body))), ['status', 'timestamp'], 'without details: status and timestamp only')
  t.equal(madeUpAnswer({ kind: 'health', name: 'db' }, situation, { ...asked, url: '/health/db' }, { details: false, service: {} }).status, 404, 'a check route without details: 404')
  t.equal(madeUpAnswer(route, situation, { ...asked, verbose: true }, { details: false, service: {} }).headers['content-type'], 'application/json; charset=utf-8', '?verbose ignored without details')

  const verbose = madeUpAnswer(route, situation, { ...asked, verbose: true }, { details: true, service: {} })
  t.equal(verbose.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(verbose.body, '[+]db ok\n[-]cache failed: fail (non-critical)\n[+]main_thread warn: busy: x\nhealth check passed\n')

  const ietf = madeUpAnswer(route, situation, { ...asked, accept: 'application/health+json' }, { details: true, service: { version: '2' } })
  t.equal(ietf.headers['content-type'], 'application/health+json')
  const body = JSON.parse(String(ietf.body))
  t.equal(body.status, 'warn')
  t.equal(body.version, '2')
  t.match(body.checks.main_thread, [{ status: 'warn', output: 'busy: x', observedValue: 42, observedUnit: 'ms' }])
  const stuck = madeUpAnswer(route, { ...situation, reason: 'stuck', text: 'stuck: y' }, { ...asked, accept: 'application/health+json' }, { details: false, service: {} })
  t.same(JSON.parse(String(stuck.body)), { status: 'fail', output: 'failing' })
  t.equal(stuck.status, 503)
})
