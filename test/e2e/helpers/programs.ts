import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Test } from 'tap'

// Debian puts nginx and haproxy in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/** The absolute path of an executable named `name`, searched on PATH and in the sbin folders, or undefined. */
export function which (name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS]
  for (const dir of dirs) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** Debian package that provides each program the end-to-end tests drive. */
const PACKAGES: Record<string, string> = {
  nginx: 'nginx',
  haproxy: 'haproxy',
  'redis-server': 'redis-server',
  curl: 'curl',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway'
}

/**
 * Finds the programs a test file needs. When one is missing, the file is skipped with a message saying how to
 * install it, except under CI=true, where a missing program fails the run: CI must never pass by skipping.
 * Returns the absolute paths, or undefined when the caller must not run its tests.
 */
export function requirePrograms<N extends string> (t: Test, names: readonly N[]): Record<N, string> | undefined {
  const found = {} as Record<N, string>
  const missing: string[] = []
  for (const name of names) {
    const path = which(name)
    if (path === undefined) missing.push(name)
    else found[name] = path
  }
  if (missing.length === 0) return found
  const packages = missing.map(name => PACKAGES[name] ?? name).join(' ')
  const message = `${missing.join(', ')} not found (searched PATH and ${EXTRA_DIRS.join(', ')}); install with \`apt-get install ${packages}\``
  if (process.env.CI === 'true') {
    t.fail(`${message} (CI=true: a missing program fails the run)`)
  } else {
    t.plan(0, message)
  }
  return undefined
}
