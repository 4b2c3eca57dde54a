import t from 'tap'
import { sourceOf } from '../../lib/integrations/adapter'
import { buildApp } from '../helpers/app'

t.test('the source of an app: the groups, and unknown groups neither read nor run', async t => {
  const { app } = await buildApp(t)
  const source = sourceOf(app, 'test')
  t.equal(sourceOf(app, 'test'), source, 'one source per registration')
  t.same(source.groups(), ['health', 'ready', 'startup'])
  t.equal(source.groupStatus('nope'), null)
  await t.rejects(source.report('nope'), { code: 'FST_HEALTH_UNKNOWN_GROUP', message: 'fastify-health: unknown group "nope"' })
  app.addReadyCheck('db', () => true, { critical: false })
  await app.ready()
  t.equal(source.groupStatus('ready'), true, 'a non-critical check does not decide its group')
  t.same(source.checks(), [{ name: 'db', groups: ['ready'], critical: false, status: null }], 'no result yet: status null')
})
