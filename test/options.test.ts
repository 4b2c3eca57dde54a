import t, { type Test } from 'tap'
import Fastify from 'fastify'
import healthPlugin from '../lib/index'
import type { HealthPluginOptions } from '../lib/types'

async function registerWith (t: Test, options: unknown): Promise<unknown> {
  const app = Fastify()
  t.after(() => app.close())
  try {
    await app.register(healthPlugin, options as HealthPluginOptions)
    return undefined
  } catch (err) {
    return err
  }
}

t.test('path and readyPath must be static paths starting with "/"', async t => {
  const cases: Array<[HealthPluginOptions | Record<string, unknown>, RegExp]> = [
    [{ path: 'health' }, /^fastify-health: option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received "health"$/],
    [{ path: 42 }, /option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received number 42/],
    [{ path: '' }, /option "path" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received ""$/],
    [{ readyPath: 'ready' }, /option "readyPath" must be a static path starting with "\/" \(no "\*", ":", "\?", "#", whitespace or control characters\), received "ready"/],
    [{ readyPath: null }, /option "readyPath" .*received null/],
    [{ path: '/x', readyPath: '/x' }, /option "readyPath" must be different from "path" \(both are "\/x"\), received "\/x"/],
    [{ path: '/health/ready' }, /option "readyPath" must be different from "path"/]
  ]
  for (const [options, message] of cases) {
    const err = await registerWith(t, options)
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
    t.type(err, TypeError)
  }
})

t.test('timeout and cacheTtl are validated at registration', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ timeout: 0 }, /option "timeout" must be a positive finite number of milliseconds, received number 0/],
    [{ timeout: -1 }, /option "timeout"/],
    [{ timeout: Infinity }, /option "timeout" .*Infinity/],
    [{ timeout: '800' }, /option "timeout" .*received "800"/],
    [{ cacheTtl: -1 }, /option "cacheTtl" must be a non-negative finite number of milliseconds, received number -1/],
    [{ cacheTtl: NaN }, /option "cacheTtl" .*NaN/],
    [{ cacheTtl: [] }, /option "cacheTtl" .*received an array/],
    [{ cacheTtl: {} }, /option "cacheTtl" .*received an object/]
  ]
  for (const [options, message] of cases) {
    t.match(await registerWith(t, options), { code: 'FST_HEALTH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  t.equal(await registerWith(t, { timeout: 1, cacheTtl: 0 }), undefined, 'boundaries are accepted')
})

t.test('no options at all takes every default', async t => {
  t.equal(await registerWith(t, undefined), undefined)
  t.equal(await registerWith(t, {}), undefined)
})
