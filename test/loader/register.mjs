// With an --import hook in place (tap's coverage recorder), Node starts the test file through its ESM loader, which
// does not know .ts. This hands .ts files to the CommonJS loader, where register.cjs compiles them.
import { register } from 'node:module'
import { createRequire } from 'node:module'

createRequire(import.meta.url)('./register.cjs')
register('./hooks.mjs', import.meta.url)
