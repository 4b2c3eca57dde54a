// Top functions by self time in a V8 .cpuprofile: `node bench/cpuprofile-top.mjs <file.cpuprofile> [N]`.
// Profiles come from `npm run bench:profile -- <row>` (bench/profile.ts), which runs this. Prints the N hottest
// functions (default 25), then self time per file, so that the plugin's own share (dist/*.js) stands out.
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
if (file === undefined) {
  console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [N]')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8'))

// Self time of a node = sum of the time deltas of the samples that landed on it.
const selfMicros = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}

const root = new URL('..', import.meta.url).pathname
const short = url => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(root, '')
const byFunction = new Map()
const byFile = new Map()
let total = 0
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0
  if (micros === 0) continue
  total += micros
  const { functionName, url, lineNumber } = node.callFrame
  const where = url === '' ? '' : `${short(url)}:${lineNumber + 1}`
  const key = `${functionName || '(anonymous)'} ${where}`.trim()
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros)
  const fileKey = url === '' ? `(${functionName})` : short(url)
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros)
}

// Not the server's work: idle time, unattributed VM time, and `dispatch` (the inspector serialising the profile
// when the profiler is stopped).
const excluded = new Set(['(idle)', '(program)', 'dispatch'])
const idle = [...byFunction].filter(([k]) => excluded.has(k)).reduce((s, [, v]) => s + v, 0)
const busy = total - idle
const pct = v => `${(100 * v / busy).toFixed(1).padStart(5)}%`
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (percentages of busy time; idle, (program) and dispatch excluded)`)
console.log('\nself time by function:')
for (const [key, v] of [...byFunction].filter(([k]) => !excluded.has(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(v)}  ${key}`)
}
console.log('\nself time by file:')
for (const [key, v] of [...byFile].filter(([k]) => !excluded.has(k.slice(1, -1))).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(v)}  ${key}`)
}
