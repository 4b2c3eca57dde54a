'use strict'
// TypeScript for the test processes: esbuild strips the types of each .ts file as it is required, and an inline
// source map takes coverage and stack traces back to the source. Whitespace is kept (unlike tsx, which minifies it),
// so that the coverage of each line maps back to that line. Type checking is `npm run typecheck`'s job.
const { readFileSync } = require('node:fs')
const Module = require('node:module')
const { transformSync } = require('esbuild')

Module._extensions['.ts'] = function compileTs (module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename
  })
  module._compile(code, filename)
  // esbuild turns each `export` into a getter (tsc's own output assigns `exports.name` instead). Reading them once
  // keeps those generated getters from counting as uncovered functions of the source they map back to.
  const exported = module.exports
  if (exported !== null && typeof exported === 'object') Object.values(exported)
}
