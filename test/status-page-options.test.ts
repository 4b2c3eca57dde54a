import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../lib/index'
import { normaliseOptions } from '../lib/options'
import type { HealthPluginOptions } from '../lib/types'

t.test('statusPage: off by default, true takes the defaults, refresh is a positive integer of seconds', async t => {
  t.equal(normaliseOptions({}).statusPage, null)
  t.equal(normaliseOptions({ statusPage: false }).statusPage, null)
  t.same(normaliseOptions({ statusPage: true }).statusPage, { refresh: 10 })
  t.same(normaliseOptions({ statusPage: {} }).statusPage, { refresh: 10 })
  t.same(normaliseOptions({ statusPage: { refresh: 60 } }).statusPage, { refresh: 60 })
})

t.test('bad statusPage options fail at registration with FST_HEALTH_INVALID_OPTION', async t => {
  const cases: Array<[unknown, string]> = [
    ['yes', 'option "statusPage" must be a boolean or an object { refresh }, received "yes"'],
    [[], 'option "statusPage" must be a boolean or an object { refresh }, received an array'],
    [{ refresh: 0 }, 'option "statusPage.refresh" must be a positive integer, received number 0'],
    [{ refresh: 2.5 }, 'option "statusPage.refresh" must be a positive integer, received number 2.5'],
    [{ refresh: '10' }, 'option "statusPage.refresh" must be a positive integer, received "10"'],
    [{ refesh: 10 }, 'option "statusPage" has an unknown key "refesh" (did you mean "refresh"?); known keys: refresh']
  ]
  for (const [statusPage, message] of cases) {
    const app = Fastify()
    t.teardown(() => app.close())
    const err = await app.register(healthPlugin, { statusPage } as unknown as HealthPluginOptions).then(() => undefined, (e: unknown) => e)
    t.match(err, { code: 'FST_HEALTH_INVALID_OPTION', message: `fastify-health: ${message}` }, JSON.stringify(statusPage))
  }
  const app = Fastify()
  t.teardown(() => app.close())
  const misspelt = await app.register(healthPlugin, { statuspage: true } as unknown as HealthPluginOptions).then(() => undefined, (e: unknown) => e)
  t.match(misspelt, { message: /unknown key "statuspage" \(did you mean "statusPage"\?\)/ })
})
