// `npm run test:unit`: tap, with a reporter that suits where its output goes. On a terminal, tap's default. Anywhere
// else (a CI log, a file, a pipe) tap would print raw TAP, thousands of lines with a failure somewhere among them;
// there the terse reporter prints only the failures, with their details, then the summary. Its renderer (Ink) redraws
// a live counter unless it believes it runs in CI, so it is told so (CONTINUOUS_INTEGRATION, which the tests do not
// read) and writes the final frame only. Arguments are passed on to tap; a --reporter among them wins.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const tapPackage = createRequire(import.meta.url).resolve('tap/package.json')
const tapBin = join(dirname(tapPackage), 'dist', 'esm', 'run.mjs')
const args = process.argv.slice(2)
const env = { ...process.env }
if (!process.stdout.isTTY) {
  args.unshift('--reporter=terse')
  env.CONTINUOUS_INTEGRATION ??= 'true'
}
const child = spawn(process.execPath, [tapBin, ...args], { stdio: 'inherit', env })
const forward = signal => { child.kill(signal) }
process.on('SIGINT', forward).on('SIGTERM', forward)
child.on('exit', (code, signal) => {
  process.off('SIGINT', forward).off('SIGTERM', forward)
  // Ended by a signal: end by the same one, as tap itself would have.
  if (signal !== null) process.kill(process.pid, signal)
  else process.exitCode = code ?? 1
})
