import { once } from 'node:events'
import type { IncomingHttpHeaders, Server } from 'node:http'
import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { http } from '../../lib/checks/http'
import { serveHttp } from '../helpers/net'

const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal })

interface Seen { method: string, url: string, headers: IncomingHttpHeaders }

/**
 * A real server on 127.0.0.1: `/status/N` answers N, `/redirect` answers 302, `/slow` never answers. It records the
 * requests it sees.
 */
async function startServer (t: Test): Promise<{ base: string, seen: Seen[], server: Server }> {
  const seen: Seen[] = []
  const { base, server } = await serveHttp(t, (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const status = /^\/status\/(\d{3})$/.exec(req.url ?? '')
    if (status !== null) {
      res.statusCode = Number(status[1])
      res.end(status[1] === '204' ? undefined : 'body '.repeat(1000))
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/status/200' }).end()
    }
    // Anything else (/slow) is left unanswered.
  })
  return { base, seen, server }
}

t.test('passes on 2xx and rejects with the status otherwise', async t => {
  const { base } = await startServer(t)
  t.equal(await http(`${base}/status/200`)(context()), true)
  t.equal(await http(new URL(`${base}/status/204`))(context()), true, 'a URL object and a 204 without body')
  t.equal(await http(`${base}/status/299`)(context()), true)
  await t.rejects(http(`${base}/status/500`)(context()), { message: 'status 500, expected 2xx' })
  await t.rejects(http(`${base}/status/404`)(context()), { message: 'status 404, expected 2xx' })
  await t.rejects(http(`${base}/status/300`)(context()), { message: 'status 300, expected 2xx' })
})

t.test('does not follow redirects', async t => {
  const { base, seen } = await startServer(t)
  await t.rejects(http(`${base}/redirect`)(context()), { message: 'status 302, expected 2xx' })
  t.same(seen.map(r => r.url), ['/redirect'], 'the location was not requested')
  t.equal(await http(`${base}/redirect`, { expectStatus: 302 })(context()), true)
})

t.test('expectStatus takes a number or a list', async t => {
  const { base } = await startServer(t)
  t.equal(await http(`${base}/status/503`, { expectStatus: 503 })(context()), true)
  await t.rejects(http(`${base}/status/200`, { expectStatus: 503 })(context()), { message: 'status 200, expected 503' })
  t.equal(await http(`${base}/status/204`, { expectStatus: [200, 204] })(context()), true)
  await t.rejects(http(`${base}/status/201`, { expectStatus: [200, 204] })(context()), { message: 'status 201, expected 200 or 204' })
})

t.test('sends the method and headers given', async t => {
  const { base, seen } = await startServer(t)
  t.equal(await http(`${base}/status/200`, { method: 'HEAD', headers: { authorization: 'Bearer probe', 'x-probe': '1' } })(context()), true)
  t.equal(await http(`${base}/status/200`, { method: 'POST' })(context()), true)
  t.equal(await http(`${base}/status/200`)(context()), true)
  t.same(seen.map(r => r.method), ['HEAD', 'POST', 'GET'])
  t.equal(seen[0].headers.authorization, 'Bearer probe')
  t.equal(seen[0].headers['x-probe'], '1')
  t.equal(seen[1].headers['x-probe'], undefined)
})

t.test('a slow server is cut off by the signal', async t => {
  const { base, seen, server } = await startServer(t)
  const controller = new AbortController()
  const reason = new DOMException('timed out after 50 ms', 'TimeoutError')
  const arrived = once(server, 'request')
  const run = http(`${base}/slow`)({ signal: controller.signal })
  // Abort once the server has the request, so that it is the request in flight that is cut off.
  await arrived
  controller.abort(reason)
  await t.rejects(run, reason)

  const before = new AbortController()
  before.abort(reason)
  await t.rejects(http(`${base}/slow`)({ signal: before.signal }), reason, 'an aborted signal sends nothing')
  t.equal(seen.length, 1)
})

t.test('a refused connection rejects with the reason, not just "fetch failed"', async t => {
  const { base, server } = await startServer(t)
  server.close()
  await once(server, 'close')
  await t.rejects(http(`${base}/status/200`)(context()), { message: /^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/ })
})

t.test('validates the url and options at once', async t => {
  const bad: Array<[unknown, unknown, RegExp]> = [
    [5, undefined, /^fastify-health: http argument "url" must be an absolute http: or https: URL, received number 5$/],
    ['/health', undefined, /^fastify-health: http argument "url" must be an absolute http: or https: URL, received "\/health"$/],
    ['ftp://example.com/', undefined, /http argument "url" must be an absolute http: or https: URL, received "ftp:\/\/example.com\/"$/],
    ['http://x', 'GET', /^fastify-health: http options must be an object with the keys method, expectStatus, headers, received "GET"$/],
    ['http://x', { timeout: 5 }, /http options must be .* \(unknown key "timeout"\)/],
    ['http://x', { method: '' }, /^fastify-health: http option "method" must be an HTTP method such as "GET", received ""$/],
    ['http://x', { method: 'GET /' }, /http option "method" must be an HTTP method/],
    ['http://x', { method: 1 }, /http option "method" must be an HTTP method .*, received number 1$/],
    ['http://x', { expectStatus: 99 }, /^fastify-health: http option "expectStatus" must be an integer from 100 to 599 or a non-empty array of them, received number 99$/],
    ['http://x', { expectStatus: 200.5 }, /http option "expectStatus" must be/],
    ['http://x', { expectStatus: '200' }, /http option "expectStatus" must be .*, received "200"$/],
    ['http://x', { expectStatus: [] }, /http option "expectStatus" must be .*, received an array$/],
    ['http://x', { expectStatus: [200, 600] }, /http option "expectStatus" must be/],
    ['http://x', { headers: { 'x-a': 1 } }, /^fastify-health: http option "headers" must be an object of strings, received an object$/],
    ['http://x', { headers: ['x-a'] }, /http option "headers" must be an object of strings, received an array$/],
    ['http://x', { headers: null }, /http option "headers" must be an object of strings, received null$/]
  ]
  for (const [url, options, message] of bad) {
    t.throws(() => http(url as never, options as never), { code: 'FST_HEALTH_INVALID_OPTION', message }, inspect([url, options]))
  }
  t.type(http('https://example.com/health', { method: 'HEAD', expectStatus: [200], headers: {} }), 'function', 'good options pass')
})
