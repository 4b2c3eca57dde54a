import t from 'tap'
import { buildApp } from './helpers/app'
import { isVerbose } from '../lib/formats/query'

t.test('?verbose answers the Kubernetes text: one line per check in registration order, then the verdict', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('database', () => true)
  app.addHealthCheck('cache', () => { throw new Error('connection refused') })
  app.addHealthCheck('search', () => false)
  app.addHealthCheck('disk', () => ({ status: 'warn', output: '91% full' }))
  app.addHealthCheck('quiet', () => ({ status: 'warn' }))
  app.addHealthCheck('optional', () => false, { critical: false })
  const res = await app.inject('/health?verbose&exclude=search')
  t.equal(res.statusCode, 503, 'the same status code as the JSON answer')
  t.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.body, [
    '[+]database ok',
    '[-]cache failed: connection refused',
    '[+]search excluded: ok',
    '[+]disk warn: 91% full',
    '[+]quiet warn',
    '[-]optional failed: fail (non-critical)',
    'health check failed',
    ''
  ].join('\n'))
  t.equal((await app.inject('/health')).statusCode, 503)
})

t.test('the last line names the probe: health, ready, startup; passed when the code is 200', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => true)
  app.addReadyCheck('b', () => true)
  app.addStartupCheck('c', () => true)
  const health = await app.inject('/health?verbose=1')
  t.equal(health.statusCode, 200)
  t.equal(health.body, '[+]a ok\nhealth check passed\n')
  const ready = await app.inject('/health/ready?verbose')
  t.equal(ready.statusCode, 200)
  t.equal(ready.body, '[+]b ok\nready check passed\n')
  const startup = await app.inject('/health/started?verbose')
  t.equal(startup.statusCode, 200)
  t.match(startup.body, /startup check passed\n$/)
  const excluded = await app.inject('/health/ready?verbose&exclude=b')
  t.equal(excluded.body, '[+]b excluded: ok\nready check passed\n')
})

t.test('the verdict line fails with the status code', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('b', async () => false)
  const res = await app.inject('/health/ready?verbose')
  t.equal(res.statusCode, 503)
  t.equal(res.body, '[-]b failed: fail\nready check failed\n')
})

t.test('entries the app adds (setReady(false)) come after the checks', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => true)
  await app.ready()
  app.health.setReady(false, 'maintenance\nwindow')
  const res = await app.inject('/health/ready?verbose')
  t.equal(res.statusCode, 503)
  t.equal(res.body, '[+]db ok\n[-]availability failed: maintenance\\nwindow\nready check failed\n')
})

t.test('names and errors are escaped to one line', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('line\nbreak', () => true)
  app.addHealthCheck('cr\rtab\t\u2028\u2029\\', () => { throw new Error('first\r\nsecond\u0007\u009b') })
  app.addHealthCheck('ex\ncluded', () => true)
  const res = await app.inject('/health?verbose&exclude=' + encodeURIComponent('ex\ncluded'))
  t.equal(res.body, [
    '[+]line\\nbreak ok',
    '[-]cr\\rtab\\t\\u2028\\u2029\\\\ failed: first\\r\\nsecond\\x07\\x9b',
    '[+]ex\\ncluded excluded: ok',
    'health check failed',
    ''
  ].join('\n'))
  t.equal(res.body.split('\n').length, 5, 'four lines and the final newline')
})

t.test('a warn output is escaped too', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('w', () => ({ status: 'warn', output: 'a\nb' }))
  t.equal((await app.inject('/health?verbose')).body, '[+]w warn: a\\nb\nhealth check passed\n')
})

t.test('?verbose is ignored when the details are hidden', async t => {
  let allow = false
  const { app } = await buildApp(t, { exposeDetails: async () => allow })
  app.addHealthCheck('secret', () => false)
  const hidden = await app.inject('/health?verbose')
  t.equal(hidden.statusCode, 503)
  t.match(hidden.headers['content-type'], /^application\/json/)
  t.same(Object.keys(hidden.json()), ['status', 'timestamp'])
  t.notMatch(hidden.body, /secret/)
  allow = true
  t.equal((await app.inject('/health?verbose')).body, '[-]secret failed: fail\nhealth check failed\n')
})

t.test('?verbose on a per-check route lists that check alone', async t => {
  const { app } = await buildApp(t)
  app.addHealthCheck('a', () => true)
  app.addHealthCheck('b', () => false)
  const res = await app.inject('/health/b?verbose')
  t.equal(res.statusCode, 503)
  t.equal(res.body, '[-]b failed: fail\nhealth check failed\n')
})

t.test('?verbose=0 and ?verbose=false answer JSON; any other value, or none, the text; the last of repeated values decides', async t => {
  const { app } = await buildApp(t)
  app.addReadyCheck('db', () => true)
  const cases: Array<[string, boolean]> = [
    ['?verbose', true], ['?verbose=1', true], ['?verbose=true', true], ['?verbose=yes', true],
    ['?verbose=0', false], ['?verbose=false', false], ['?verbose=FALSE', false], ['?verbose=False', false],
    ['?verbose=0&verbose=1', true], ['?verbose=1&verbose=0', false], ['?verbose=0&exclude=db', false]
  ]
  for (const [query, verbose] of cases) {
    for (const path of ['/health/ready', '/health/ready/db']) {
      const res = await app.inject(`${path}${query}`)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['content-type'], verbose ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', `${path}${query}`)
      if (!verbose) t.match(res.json(), { status: 'ready' })
    }
  }
})

t.test('isVerbose: a value that is not a string (a custom querystringParser) turns it on, like any value but 0/false', async t => {
  t.equal(isVerbose({ verbose: true }), true)
  t.equal(isVerbose({ verbose: ['false', { deep: 1 }] }), true)
  t.equal(isVerbose({ verbose: ['1', 'false'] }), false)
  t.equal(isVerbose({}), false)
})
