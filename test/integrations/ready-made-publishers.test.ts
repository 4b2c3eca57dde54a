import type { IncomingMessage } from 'node:http'
import { hostname } from 'node:os'
import t, { type Test } from 'tap'
import { heartbeat, pushgateway } from '../../lib/integrations/publishers/index'
import { exposition } from '../../lib/integrations/publishers/pushgateway'
import type { PublishContext, PublishedReport } from '../../lib/types'
import { buildApp } from '../helpers/app'
import { freePort, serveHttp } from '../helpers/net'

interface Received { method: string, url: string, headers: IncomingMessage['headers'], body: string }

/** A loopback HTTP server that records each request and answers with `status()`. */
async function receiver (t: Test, status: () => number = () => 200): Promise<{ base: string, requests: Received[], next: () => Promise<Received> }> {
  const requests: Received[] = []
  const waiters: Array<() => void> = []
  const { base } = await serveHttp(t, (req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => { body += chunk })
    req.on('end', () => {
      requests.push({ method: req.method as string, url: req.url as string, headers: req.headers, body })
      res.statusCode = status()
      res.end()
      for (const waiter of waiters.splice(0)) waiter()
    })
  })
  let seen = 0
  const next = async (): Promise<Received> => {
    while (requests.length <= seen) await new Promise<void>(resolve => waiters.push(resolve))
    return requests[seen++]
  }
  return { base, requests, next }
}

const context = (overrides: Partial<PublishContext> = {}): PublishContext =>
  ({ signal: new AbortController().signal, previous: undefined, final: false, group: 'ready', passing: true, ...overrides })

const report: PublishedReport = {
  status: 'not_ready',
  timestamp: 1,
  checks: {
    db: { status: 'pass', timestamp: 1, duration: 1 },
    'search "index"\\\n': { status: 'fail', timestamp: 1, duration: 1, critical: false },
    cache: { status: 'warn', timestamp: 1, duration: 1 }
  }
}

t.test('pushgateway PUTs the text exposition to /metrics/job/<job>/instance/<instance>', async t => {
  const { base, next } = await receiver(t)
  await pushgateway({ url: `${base}/prefix/`, job: 'api', instance: 'pod-1' })(report, context({ passing: false }))
  const request = await next()
  t.equal(request.method, 'PUT')
  t.equal(request.url, '/prefix/metrics/job/api/instance/pod-1')
  t.equal(request.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.equal(request.headers.authorization, undefined)
  t.equal(request.body, [
    '# HELP health_check_status Whether a health check passes (1) or not (0)',
    '# TYPE health_check_status gauge',
    'health_check_status{check="db",group="ready",critical="true"} 1',
    'health_check_status{check="search \\"index\\"\\\\\\n",group="ready",critical="false"} 0',
    'health_check_status{check="cache",group="ready",critical="true"} 1',
    '# HELP health_group_status Whether a group of health checks passes (1) or not (0)',
    '# TYPE health_group_status gauge',
    'health_group_status{group="ready"} 0',
    ''
  ].join('\n'))
  t.equal(exposition(report, 'ready', true).split('\n').at(-2), 'health_group_status{group="ready"} 1')
})

t.test('pushgateway grouping keys: percent-encoded, base64url for a "/" or an empty value, the host name by default', async t => {
  const { base, next } = await receiver(t)
  await pushgateway({ url: base, job: 'a b', instance: 'x/y' })(report, context())
  t.equal((await next()).url, `/metrics/job/a%20b/instance@base64/${Buffer.from('x/y').toString('base64url')}`)
  await pushgateway({ url: base, job: 'j/k', instance: '' })(report, context())
  t.equal((await next()).url, `/metrics/job@base64/${Buffer.from('j/k').toString('base64url')}/instance@base64/=`)
  await pushgateway({ url: new URL(base), job: 'api' })(report, context())
  t.equal((await next()).url, `/metrics/job/api/instance/${encodeURIComponent(hostname())}`)
})

t.test('credentials in a URL are sent as basic authentication', async t => {
  const { base, next } = await receiver(t)
  const withUser = base.replace('http://', 'http://us%40er:p%3Ass@')
  await pushgateway({ url: withUser, job: 'api', instance: 'i' })(report, context())
  t.equal((await next()).headers.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`)
  await heartbeat({ url: `${withUser}/ping/uuid` })(report, context())
  t.equal((await next()).headers.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`)
})

t.test('heartbeat: GET url while passing, failUrl while failing, nothing without one or on the final publish', async t => {
  const { base, requests, next } = await receiver(t)
  const publish = heartbeat({ url: `${base}/ping/abc?rid=1`, failUrl: `${base}/ping/abc/fail` })
  await publish(report, context({ passing: true }))
  t.match(await next(), { method: 'GET', url: '/ping/abc?rid=1', body: '' })
  await publish(report, context({ passing: false }))
  t.match(await next(), { method: 'GET', url: '/ping/abc/fail' })
  await publish(report, context({ passing: true, final: true }))
  const quiet = heartbeat({ url: `${base}/push/token` })
  await quiet(report, context({ passing: false }))
  await quiet(report, context({ passing: true }))
  t.match(await next(), { url: '/push/token' })
  t.equal(requests.length, 3, 'no request for the final publish, nor for a failure without failUrl')
})

t.test('a non-2xx answer or a failed request rejects, naming the scheme and host only', async t => {
  let status = 500
  const { base } = await receiver(t, () => status)
  const secret = `${base.replace('http://', 'http://user:hunter2@')}/ping/0f9e-secret-uuid?token=s3cr3t`
  await t.rejects(heartbeat({ url: secret })(report, context()), { message: `heartbeat: ${base} answered 500` })
  status = 301
  await t.rejects(pushgateway({ url: secret, job: 'api' })(report, context()), { message: `pushgateway: ${base} answered 301` })
  const closed = `http://user:hunter2@127.0.0.1:${await freePort()}/ping/0f9e-secret-uuid`
  const err = await heartbeat({ url: closed })(report, context()).then(() => undefined, (e: Error) => e)
  t.match(err?.message, /^heartbeat: http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/)
  t.notMatch(JSON.stringify(err, Object.getOwnPropertyNames(err)), /hunter2|secret|s3cr3t/, 'nothing secret in the error, its stack included')
  const tls = `https://user:hunter2@127.0.0.1:${await freePort()}/ping/0f9e-secret-uuid`
  await t.rejects(pushgateway({ url: tls, job: 'api' })(report, context()), { message: /^pushgateway: https:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/ }, 'https: the same')
})

t.test('an aborted signal ends the request with the signal\'s reason', async t => {
  const { base } = await receiver(t)
  const controller = new AbortController()
  const reason = new DOMException('timed out', 'TimeoutError')
  controller.abort(reason)
  await t.rejects(heartbeat({ url: base })(report, context({ signal: controller.signal })), reason)
  // Aborted while the request is on its way.
  const { base: slow } = await serveHttp(t, () => {})
  const late = new AbortController()
  const pending = pushgateway({ url: slow, job: 'api' })(report, context({ signal: late.signal }))
  late.abort(reason)
  await t.rejects(pending, reason)
})

t.test('bad options are rejected at once; a URL in an error is redacted', async t => {
  t.throws(() => heartbeat(undefined as any), { code: 'FST_HEALTH_INVALID_OPTION', message: /heartbeat option "url" must be an absolute http: or https: URL, received undefined/ })
  t.throws(() => heartbeat({ url: 'ftp://user:hunter2@host/x' }), { message: 'fastify-health: heartbeat option "url" must be an absolute http: or https: URL, received "ftp://***@host/x"' })
  t.throws(() => heartbeat({ url: 'http://h/', failUrl: 'nope' }), { message: /heartbeat option "failUrl" must be an absolute/ })
  t.throws(() => heartbeat({ url: 'http://h/', fail: 'x' } as any), { message: /heartbeat options .*unknown key "fail"/ })
  t.throws(() => pushgateway({ url: 'http://h/' } as any), { message: /pushgateway option "job" must be a non-empty string, received undefined/ })
  t.throws(() => pushgateway({ url: 'http://h/', job: '' }), { message: /pushgateway option "job" must be a non-empty string/ })
  t.throws(() => pushgateway({ url: 'http://h/', job: 'a', instance: 7 } as any), { message: /pushgateway option "instance" must be a string, received number 7/ })
  t.throws(() => pushgateway({ url: 'http://u:p@[bad', job: 'a' }), { message: /pushgateway option "url" must be an absolute http: or https: URL, received "http:\/\/\*\*\*@\[bad"/ })
})

t.test('through addPublisher: a failing push is logged without the URL\'s secrets', async t => {
  const { base } = await receiver(t, () => 503)
  const { app, log } = await buildApp(t)
  app.addReadyCheck('db', () => true)
  const url = `${base.replace('http://', 'http://user:hunter2@')}/ping/0f9e-secret-uuid?token=s3cr3t`
  app.health.addPublisher(heartbeat({ url }), { interval: 60_000 })
  await app.ready()
  const line = await new Promise<Record<string, any>>(resolve => {
    const find = (): void => {
      const found = log.lines.find(l => /publisher 1 \(ready\) failed/.test(l.msg))
      if (found !== undefined) resolve(found)
      else setImmediate(find)
    }
    find()
  })
  t.equal(line.err.message, `heartbeat: ${base} answered 503`)
  await app.close()
  t.notMatch(JSON.stringify(log.lines), /hunter2|secret-uuid|s3cr3t/, 'no log line holds a credential, the path or the query')
})
