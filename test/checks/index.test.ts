import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import * as checks from '../../lib/checks'
import { DEFAULT_MIN_FREE_BYTES, diskSpace } from '../../lib/checks/disk-space'
import { eventLoopDelay } from '../../lib/checks/event-loop-delay'
import { http } from '../../lib/checks/http'
import { memory } from '../../lib/checks/memory'
import { tcp } from '../../lib/checks/tcp'

t.test('fastify-health/checks exports the five factories and the disk default, and keeps formatBytes internal', async t => {
  t.same(Object.keys(checks).sort(), ['DEFAULT_MIN_FREE_BYTES', 'diskSpace', 'eventLoopDelay', 'http', 'memory', 'tcp'])
  t.equal(checks.diskSpace, diskSpace)
  t.equal(checks.memory, memory)
  t.equal(checks.eventLoopDelay, eventLoopDelay)
  t.equal(checks.http, http)
  t.equal(checks.tcp, tcp)
  t.equal(checks.DEFAULT_MIN_FREE_BYTES, DEFAULT_MIN_FREE_BYTES)
})

t.test('package.json exposes the subpath with its types', async t => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
  t.same(pkg.exports['./checks'], { types: './dist/checks/index.d.ts', default: './dist/checks/index.js' })
})
