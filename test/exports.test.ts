import t from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

// Proves the published shape: the tarball `npm pack` makes, unpacked as a dependency of a consumer, loaded by
// CommonJS, by ESM and by TypeScript with each module resolution a user may have.
const root = resolve(__dirname, '..')
const run = promisify(execFile)
// Three type-checks of a consumer on a busy 2-core machine take a while.
t.setTimeout(180_000)
const env = { ...process.env }
delete env.NODE_V8_COVERAGE

if (!existsSync(join(root, 'dist', 'index.js'))) {
  t.fail('dist/ is missing: run `npm run build` (npm test does) before this test')
} else {
  const consumer = t.testdir({
    'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    'cjs.cjs': `
      const assert = require('node:assert')
      const Fastify = require('fastify')
      const plugin = require('fastify-health')
      assert.strictEqual(typeof plugin, 'function')
      assert.strictEqual(plugin.default, plugin)
      assert.strictEqual(plugin.healthPlugin, plugin)
      const app = Fastify()
      app.register(plugin).then(async () => {
        app.addHealthCheck('db', () => true)
        const res = await app.inject('/health')
        assert.strictEqual(res.statusCode, 200)
        console.log('cjs ok')
      })
    `,
    'esm.mjs': `
      import assert from 'node:assert'
      import Fastify from 'fastify'
      import healthPlugin, { healthPlugin as named } from 'fastify-health'
      assert.strictEqual(typeof healthPlugin, 'function')
      assert.strictEqual(named, healthPlugin)
      const app = Fastify()
      await app.register(named)
      app.addReadyCheck('m', () => false)
      assert.strictEqual((await app.inject('/health/ready')).statusCode, 503)
      console.log('esm ok')
    `,
    'consumer.ts': `
      import Fastify from 'fastify'
      import healthPlugin, { healthPlugin as named, type HealthPluginOptions, type HealthReport } from 'fastify-health'
      const options: HealthPluginOptions = { path: '/status', timeout: 500 }
      async function main (): Promise<HealthReport> {
        const app = Fastify()
        await app.register(healthPlugin, options)
        await app.register(named, { readyPath: '/r' })
        app.addHealthCheck('db', async ({ signal }) => !signal.aborted, { critical: false })
        return await app.runHealthChecks()
      }
      void main()
    `,
    'cjs-consumer.cts': `
      import healthPlugin = require('fastify-health')
      import Fastify = require('fastify')
      const app = Fastify()
      void app.register(healthPlugin.default, { cacheTtl: 1000 })
      void app.register(healthPlugin.healthPlugin)
      void app.register(healthPlugin)
    `,
    'tsconfig.nodenext.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['consumer.ts', 'cjs-consumer.cts'] }),
    'tsconfig.node16.json': JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['consumer.ts'] }),
    'tsconfig.bundler.json': JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['consumer.ts'] })
  })

  t.before(() => {
    const packDir = join(consumer, 'pack')
    mkdirSync(packDir)
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: root, env, stdio: 'pipe' })
    const tarball = readdirSync(packDir).find(f => f.endsWith('.tgz'))
    const target = join(consumer, 'node_modules', 'fastify-health')
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', join(packDir, tarball as string), '-C', target, '--strip-components=1'])
  })

  t.test('the tarball holds the build, the licence and the readme, and no sources or tests', async t => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: join(consumer, 'node_modules', 'fastify-health'), encoding: 'utf8' }).split('\n')
    t.ok(files.includes('./dist/index.js'))
    t.ok(files.includes('./dist/index.d.ts'))
    t.ok(files.includes('./LICENSE'))
    t.ok(files.includes('./README.md'))
    t.notOk(files.some(f => f.startsWith('./lib/') || f.startsWith('./test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), 'no TypeScript sources or tests')
  })

  t.test('require() gives the plugin, with .default and .healthPlugin', async t => {
    t.equal(execFileSync(process.execPath, ['cjs.cjs'], { cwd: consumer, env, encoding: 'utf8' }).trim(), 'cjs ok')
  })

  t.test('ESM default and named imports give the plugin', async t => {
    t.equal(execFileSync(process.execPath, ['esm.mjs'], { cwd: consumer, env, encoding: 'utf8' }).trim(), 'esm ok')
  })

  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  t.test('TypeScript consumers get the types with nodenext, node16 and bundler resolution', async t => {
    const resolutions = ['nodenext', 'node16', 'bundler']
    // Run side by side: each is a separate tsc process.
    const outputs = await Promise.all(resolutions.map(async resolution => {
      const { stdout } = await run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: consumer, env })
      return stdout
    }))
    resolutions.forEach((resolution, i) => t.equal(outputs[i], '', `tsc reports no error with ${resolution}`))
  })
}
