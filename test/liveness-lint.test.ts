import t from 'tap'
import { http, tcp } from '../lib/checks/index'
import { REMOTE } from '../lib/checks/remote'
import { buildApp } from './helpers/app'

// At app.ready(), one warning per critical liveness check built by http() or tcp() without impact: 'fleet': when
// the service it calls fails, every instance fails liveness and is restarted.

const lintLines = (lines: Array<Record<string, any>>): string[] =>
  lines.filter(l => typeof l.msg === 'string' && l.msg.includes('calls another service')).map(l => l.msg)

t.test('the lint fires exactly for critical liveness http() and tcp() checks', async t => {
  const { app, log } = await buildApp(t)
  app.addHealthCheck('api', http('http://127.0.0.1:9/status'))
  app.addHealthCheck('cache', tcp({ host: '127.0.0.1', port: 9 }))
  app.addHealthCheck('shared_api', http('http://127.0.0.1:9/'), { impact: 'fleet' })
  app.addHealthCheck('optional_api', http('http://127.0.0.1:9/'), { critical: false })
  app.addHealthCheck('event_loop', () => true)
  app.addReadyCheck('ready_api', http('http://127.0.0.1:9/'))
  app.addStartupCheck('startup_db', tcp({ host: '127.0.0.1', port: 9 }))
  // A proxy whose symbol reads throw: not a ready-made check, and no crash.
  app.addHealthCheck('hostile', new Proxy(() => true, {
    get (target, key) {
      if (typeof key === 'symbol') throw new Error('no')
      return Reflect.get(target, key)
    }
  }))
  await app.ready()
  t.same(lintLines(log.lines), [
    'fastify-health: liveness check "api" calls another service (http()): when that service fails, every instance fails liveness and is restarted, which fixes nothing. Make it a readiness check (addReadyCheck), require it from the routes that need it (config.health.requires), or give it { impact: \'fleet\' }',
    'fastify-health: liveness check "cache" calls another service (tcp()): when that service fails, every instance fails liveness and is restarted, which fixes nothing. Make it a readiness check (addReadyCheck), require it from the routes that need it (config.health.requires), or give it { impact: \'fleet\' }'
  ])
  t.equal(log.lines.find(l => l.msg?.includes('"api" calls another service'))?.level, 40, 'at warn')
})

t.test('the ready-made remote checks carry the global marker with their factory name', async t => {
  t.equal(REMOTE, Symbol.for('fastify-health.remote'))
  t.equal((http('http://127.0.0.1:9/') as unknown as Record<symbol, unknown>)[REMOTE], 'http')
  t.equal((tcp({ host: '127.0.0.1', port: 9 }) as unknown as Record<symbol, unknown>)[REMOTE], 'tcp')
})
