import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import type { Test } from 'tap'

export const root = resolve(__dirname, '..', '..')
const tsx = resolve(root, 'node_modules', 'tsx', 'dist', 'cli.mjs')

export interface RunningExample {
  child: ChildProcess
  /** Base URL the example printed, e.g. http://127.0.0.1:40123 */
  url: string
  /** Everything it printed on stdout so far. */
  output: () => string
}

/**
 * Starts `examples/<file>` the way `npm run example` does (tsx, the package resolved to dist/), on a free port,
 * and resolves once it prints its "Health check endpoint:" line. Killed when the test ends.
 */
export async function startExample (t: Test, file: string, env: Record<string, string> = {}): Promise<RunningExample> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }
  // Examples are not part of the library's coverage.
  delete childEnv.NODE_V8_COVERAGE
  // tap records children's coverage through @tapjs/processinfo (in NODE_OPTIONS); this turns it off for them.
  childEnv._TAPJS_PROCESSINFO_COVERAGE_ = '0'
  const child = spawn(process.execPath, [tsx, resolve(root, 'examples', file)], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /Health check endpoint: (http:\/\/[^/\s]+)\/\S*/.exec(stdout)
      if (match !== null) resolve(match[1])
    })
    child.once('exit', code => reject(new Error(`examples/${file} exited with ${code} before listening:\n${stdout}\n${stderr}`)))
  })
  return { child, url, output: () => stdout }
}
