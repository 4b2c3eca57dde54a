// Every example has a package.json script that builds the package and runs it (the e2e tests start the same files).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../helpers/process'

t.test('each examples/*.ts has an npm script that builds and runs it', async t => {
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts
  const examples = readdirSync(join(ROOT, 'examples')).filter(file => file.endsWith('.ts'))
  t.ok(examples.includes('full.ts') && examples.includes('redis.ts'), 'the examples are there')
  for (const file of examples) {
    const entry = Object.entries(scripts).find(([, command]) => command.endsWith(`tsx examples/${file}`))
    t.ok(entry, `a script runs examples/${file}`)
    t.match(entry?.[1], /^npm run build && /, `${entry?.[0]} builds dist/ first (the example imports fastify-health)`)
  }
})
