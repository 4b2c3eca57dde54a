import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { childEnv } from './helpers/process'
import * as errors from '../lib/errors'
import healthPlugin from '../lib/index'

// Proves the published shape at run time: the tarball `npm pack` makes, unpacked as a dependency of a consumer and
// loaded once by CommonJS and once by ESM. The declarations are checked by `attw --pack` in `npm run lint`, and against
// the API by tstyche (types/).
const root = resolve(__dirname, '..')
const run = promisify(execFile)
const env = childEnv()

if (!existsSync(join(root, 'dist', 'index.js'))) {
  t.fail('dist/ is missing: run `npm run build` (npm test does) before this test')
} else {
  const consumer = t.testdir({
    'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    'cjs.cjs': `
      const assert = require('node:assert')
      const Fastify = require('fastify')
      const plugin = require('fastify-health')
      const checks = require('fastify-health/checks')
      assert.strictEqual(typeof plugin, 'function')
      assert.strictEqual(plugin.default, plugin)
      assert.strictEqual(plugin.healthPlugin, plugin)
      assert.strictEqual(plugin.fastifyHealth, plugin)
      assert.strictEqual(typeof checks.diskSpace, 'function')
      assert.strictEqual(checks.formatBytes, undefined)
      const publishers = require('fastify-health/publishers')
      assert.strictEqual(typeof publishers.pushgateway, 'function')
      assert.strictEqual(typeof publishers.heartbeat, 'function')
      assert.strictEqual(typeof require('fastify-health/grpc').healthService, 'function')
      const app = Fastify()
      app.register(plugin).then(async () => {
        app.addHealthCheck('db', () => true)
        const res = await app.inject('/health')
        assert.strictEqual(res.statusCode, 200)
        assert.throws(() => app.addHealthCheck('db', () => true), plugin.FST_HEALTH_DUPLICATE_CHECK)
        console.log('cjs ok')
      })
    `,
    'esm.mjs': `
      import assert from 'node:assert'
      import Fastify from 'fastify'
      import healthPlugin, { healthPlugin as named, fastifyHealth, FST_HEALTH_INVALID_OPTION } from 'fastify-health'
      import { tcp } from 'fastify-health/checks'
      import { heartbeat, pushgateway } from 'fastify-health/publishers'
      import { healthService, healthDefinition } from 'fastify-health/grpc'
      assert.strictEqual(typeof heartbeat, 'function')
      assert.strictEqual(typeof pushgateway, 'function')
      assert.strictEqual(typeof healthService, 'function')
      assert.strictEqual(healthDefinition.Watch.path, '/grpc.health.v1.Health/Watch')
      assert.strictEqual(typeof healthPlugin, 'function')
      assert.strictEqual(named, healthPlugin)
      assert.strictEqual(fastifyHealth, healthPlugin)
      assert.strictEqual(typeof tcp, 'function')
      const app = Fastify()
      await app.register(named)
      app.addReadyCheck('m', () => false)
      assert.strictEqual((await app.inject('/health/ready')).statusCode, 503)
      await assert.rejects(async () => { await Fastify().register(healthPlugin, { timeout: 'soon' }) }, err => err instanceof FST_HEALTH_INVALID_OPTION && err.code === 'FST_HEALTH_INVALID_OPTION')
      console.log('esm ok')
    `
  })
  const target = join(consumer, 'node_modules', 'fastify-health')

  t.before(async () => {
    const packDir = join(consumer, 'pack')
    mkdirSync(packDir)
    await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: root, env })
    const tarball = readdirSync(packDir).find(f => f.endsWith('.tgz'))
    mkdirSync(target, { recursive: true })
    await run('tar', ['-xzf', join(packDir, tarball as string), '-C', target, '--strip-components=1'])
  })

  t.test('the tarball holds the build, the licence and the readme, and no sources or tests', async t => {
    const files = readdirSync(target, { recursive: true, encoding: 'utf8' })
    t.ok(files.includes('dist/index.js'))
    t.ok(files.includes('dist/index.d.ts'))
    t.ok(files.includes('LICENSE'))
    t.ok(files.includes('README.md'))
    t.notOk(files.some(f => f.startsWith('lib/') || f.startsWith('test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), 'no TypeScript sources or tests')
  })

  t.test('every source map carries its sources, so that none points at a file the tarball lacks', async t => {
    const maps = readdirSync(target, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.map'))
    t.ok(maps.length > 0, 'the build ships source maps')
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(target, file), 'utf8')) as { sources: string[], sourcesContent?: Array<string | null> }
      t.equal(map.sourcesContent?.filter(content => typeof content === 'string').length, map.sources.length, `${file} inlines its sources`)
    }
  })

  t.test('require() and import give the plugin, its error constructors and the checks', async t => {
    // The consumer lives in .tap/fixtures, inside this repository: fastify (the peer dependency) and the package's own
    // dependencies resolve from the repository's node_modules.
    const options = { cwd: consumer, env }
    const [cjs, esm] = await Promise.all([
      run(process.execPath, ['cjs.cjs'], options),
      run(process.execPath, ['esm.mjs'], options)
    ])
    t.equal(cjs.stdout.trim(), 'cjs ok')
    t.equal(esm.stdout.trim(), 'esm ok')
  })
}

t.test('every error constructor is on the plugin', async t => {
  const plugin = healthPlugin as unknown as Record<string, unknown>
  const names = Object.keys(errors).filter(name => name.startsWith('FST_HEALTH_'))
  t.equal(names.length, 14, 'the codes the package throws')
  for (const name of names) t.equal(plugin[name], (errors as Record<string, unknown>)[name], name)
})
