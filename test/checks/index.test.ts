import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import * as checks from '../../lib/checks'

t.test('fastify-health/checks exports the five factories and formatBytes', async t => {
  t.same(Object.keys(checks).sort(), ['DEFAULT_MIN_FREE_BYTES', 'diskSpace', 'eventLoopDelay', 'formatBytes', 'http', 'memory', 'tcp'])
  t.equal(checks.formatBytes(1024 ** 3), '1 GiB')
})

t.test('package.json exposes the subpath with its types', async t => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
  t.same(pkg.exports['./checks'], { types: './dist/checks/index.d.ts', default: './dist/checks/index.js' })
})
