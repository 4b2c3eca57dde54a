import t from 'tap'
import { acceptPattern, negotiate, parseAccept, prefersActuator, prefersHtml } from '../lib/formats/negotiate'
import { buildApp } from './helpers/app'

// Real Accept headers: browsers' navigations, and what probes and HTTP clients send.
const CHROME = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const SAFARI = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const CURL = '*/*'
const AXIOS = 'application/json, text/plain, */*'

t.test('parseAccept: types lower-cased, qualities read, a bad quality is 0', async t => {
  t.same(parseAccept('Text/HTML; level=1; q=0.5, */*'), [{ type: 'text/html', q: 0.5 }, { type: '*/*', q: 1 }])
  t.same(parseAccept('text/html;q=1.2.3'), [{ type: 'text/html', q: 0 }])
})

t.test('prefersHtml: browsers yes; curl, the kubelet, HTTP clients and JSON at equal quality no', async t => {
  for (const [who, accept] of [['Chrome', CHROME], ['Firefox', FIREFOX], ['Safari', SAFARI], ['text/html alone', 'text/html']]) {
    t.ok(prefersHtml(parseAccept(accept)), who)
  }
  for (const [who, accept] of [['curl and the kubelet', CURL], ['axios', AXIOS], ['empty', ''], ['JSON first', 'application/json, text/html'],
    ['a tie', 'text/html, application/json'], ['text/* only', 'text/*'], ['html refused', 'text/html;q=0, */*'],
    ['JSON preferred', 'text/html;q=0.5, application/json'], ['health+json', 'text/html, application/health+json']]) {
    t.notOk(prefersHtml(parseAccept(accept)), who)
  }
})

t.test('prefersActuator: named, at a quality no other type beats', async t => {
  t.ok(prefersActuator(parseAccept('application/vnd.spring-boot.actuator.v3+json')))
  t.ok(prefersActuator(parseAccept('application/vnd.spring-boot.actuator.v3+json, application/json')), 'a tie goes to the type asked for by name')
  t.notOk(prefersActuator(parseAccept('application/json, application/vnd.spring-boot.actuator.v3+json;q=0.9')))
  t.notOk(prefersActuator(parseAccept('application/vnd.spring-boot.actuator.v2+json')), 'v2 is not served')
  t.notOk(prefersActuator(parseAccept(CURL)))
})

t.test('negotiate: ?format first, then Accept; unknown formats are errors listing the known ones', async t => {
  t.equal(negotiate({}, undefined, true), null, 'HAProxy and nginx send no Accept of their own')
  t.equal(negotiate({}, CURL, true), null)
  t.equal(negotiate({}, CHROME, true), 'html')
  t.equal(negotiate({}, CHROME, false), null, 'no status page unless it is on')
  t.equal(negotiate({ format: 'microprofile' }, CHROME, true), 'microprofile', '?format wins over Accept')
  t.equal(negotiate({ format: 'healthchecks-ui' }, undefined, false), 'healthchecks-ui')
  t.equal(negotiate({ format: 'html' }, undefined, true), 'html')
  t.same(negotiate({ format: 'html' }, undefined, false), { error: 'fastify-health: unknown format "html"; known formats: microprofile, actuator, healthchecks-ui' })
  t.same(negotiate({ format: 'xml' }, undefined, true), { error: 'fastify-health: unknown format "xml"; known formats: microprofile, actuator, healthchecks-ui, html' })
  t.same(negotiate({ format: ['actuator', 'microprofile'] }, undefined, false), { error: 'fastify-health: unknown format more than one value; known formats: microprofile, actuator, healthchecks-ui' })
  t.equal(negotiate({}, 'application/vnd.spring-boot.actuator.v3+json', false), 'actuator')
})

t.test('acceptPattern: what sends a probe request off the fast path', async t => {
  const on = acceptPattern(true)
  const off = acceptPattern(false)
  t.ok(on.test(CHROME))
  t.notOk(off.test(CHROME), 'without the status page, a browser takes the fast path')
  for (const pattern of [on, off]) {
    t.ok(pattern.test('application/health+json'))
    t.ok(pattern.test('Application/Vnd.Spring-Boot.Actuator.V3+Json'))
    t.notOk(pattern.test(CURL))
    t.notOk(pattern.test(AXIOS))
  }
})

t.test('on the routes: a browser gets the page only with statusPage; curl, probes and clients get JSON', async t => {
  const plain = await buildApp(t)
  const paged = await buildApp(t, { statusPage: true })
  for (const { app } of [plain, paged]) {
    app.addHealthCheck('db', () => true)
    app.addReadyCheck('queue', () => false)
  }
  for (const url of ['/health', '/health/ready', '/health/started', '/health/db']) {
    const page = await paged.app.inject({ url, headers: { accept: CHROME } })
    t.equal(page.headers['content-type'], 'text/html; charset=utf-8', `${url}: a browser gets the page`)
    const json = await plain.app.inject({ url, headers: { accept: CHROME } })
    t.equal(json.headers['content-type'], 'application/json; charset=utf-8', `${url}: no page without statusPage`)
    t.equal(page.statusCode, json.statusCode, `${url}: the same status code`)
    for (const accept of [CURL, AXIOS, undefined]) {
      const res = await paged.app.inject({ url, headers: accept === undefined ? {} : { accept } })
      t.equal(res.headers['content-type'], 'application/json; charset=utf-8', `${url} with Accept ${accept ?? '(none)'}: JSON`)
    }
  }
  const failing = await paged.app.inject({ url: '/health/ready', headers: { accept: FIREFOX } })
  t.equal(failing.statusCode, 503)
  t.match(failing.body, /^<!DOCTYPE html>/)
})

t.test('the default answer does not change by a byte with the features on', async t => {
  const plain = await buildApp(t)
  const paged = await buildApp(t, { statusPage: { refresh: 5 } })
  for (const { app } of [plain, paged]) {
    app.addHealthCheck('db', () => true)
    app.addReadyCheck('queue', () => ({ status: 'warn', output: 'slow' }))
  }
  const strip = (body: string): string => body.replace(/"(timestamp|duration)":[0-9.]+/g, '"$1":0')
  for (const url of ['/health', '/health/ready', '/health/db', '/health/ready?verbose']) {
    for (const accept of [undefined, CURL]) {
      const headers = accept === undefined ? {} : { accept }
      const [a, b] = [await plain.app.inject({ url, headers }), await paged.app.inject({ url, headers })]
      t.equal(strip(b.body), strip(a.body), `${url} ${accept ?? ''}: same body`)
      // The length follows the digits of the timing fields, which the bodies are compared without.
      const { date: _a, 'content-length': _la, ...ha } = a.headers
      const { date: _b, 'content-length': _lb, ...hb } = b.headers
      t.same(hb, ha, `${url} ${accept ?? ''}: same headers`)
      t.equal(b.statusCode, a.statusCode)
    }
  }
})

t.test('unknown ?format: 400 listing the formats, on probe and per-check routes', async t => {
  const { app } = await buildApp(t, { statusPage: true })
  app.addHealthCheck('db', () => true)
  for (const url of ['/health?format=prometheus', '/health/db?format=prometheus', '/health?format=actuator&format=microprofile']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    t.match(res.json(), { statusCode: 400, code: 'FST_HEALTH_UNKNOWN_FORMAT', error: 'Bad Request', message: /^fastify-health: unknown format .*; known formats: microprofile, actuator, healthchecks-ui, html$/ })
  }
  const html = await app.inject('/health?format=html')
  t.equal(html.headers['content-type'], 'text/html; charset=utf-8', '?format=html names the page')
})
