import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'

// What npm shows and runs: the version the README promises, the links npmjs.com needs to rewrite the README's
// relative links, and no install-time script that would run (or warn) in a consumer's install.
const root = resolve(__dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
  version: string
  scripts: Record<string, string>
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { version: string, packages: Record<string, { version?: string }> }
const readme = readFileSync(join(root, 'README.md'), 'utf8')

t.test('the README compatibility table names the release line of package.json', async t => {
  const rows = [...readme.matchAll(/^\| `(\d+)\.(\d+)\.x` \| `[^`]+` \| `[^`]+` \|$/gm)]
  t.ok(rows.length > 0, 'the table has a version row')
  const [major, minor] = pkg.version.split('.')
  t.same(rows.map(row => `${row[1]}.${row[2]}`), [`${major}.${minor}`], 'one row, the current release line')
  t.equal(lock.version, pkg.version, 'package-lock.json agrees')
  t.equal(lock.packages[''].version, pkg.version)
})

t.test('repository, homepage and bugs point at the project', async t => {
  t.same(pkg.repository, { type: 'git', url: 'git+https://github.com/fastify-health/fastify-health.git' })
  t.equal(pkg.homepage, 'https://github.com/fastify-health/fastify-health#readme')
  t.same(pkg.bugs, { url: 'https://github.com/fastify-health/fastify-health/issues' })
})

t.test('no lifecycle script runs when the package is installed', async t => {
  for (const name of ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare']) {
    t.notOk(Object.hasOwn(pkg.scripts, name), `no ${name} script`)
  }
})

t.test('every subpath export has a typesVersions entry, for TypeScript resolving as node10 (no exports)', async t => {
  const exports = pkg.exports as Record<string, { types?: string } | string>
  const map = (pkg.typesVersions as Record<string, Record<string, string[]>>)['*']
  const subpaths = Object.keys(exports).filter(key => key !== '.' && key !== './package.json')
  t.ok(subpaths.length > 0, 'the package has subpath exports')
  for (const key of subpaths) {
    const types = (exports[key] as { types: string }).types
    t.match(types, /\.d\.ts$/, `${key} declares its types`)
    t.same(map[key.slice(2)], [types], `${key} maps to the same declaration file`)
  }
  t.same(Object.keys(map).sort(), subpaths.map(key => key.slice(2)).sort(), 'no entry for a subpath that is not exported')
  t.match(pkg.scripts.lint, /attw --pack(?! --profile)/, 'lint checks the tarball under every resolution')
})
