import { FST_HEALTH_MISSING_PEER } from '../errors'

type Loader = (id: string) => unknown

// Node's own require, kept replaceable so that the tests can stand for a missing package.
let loader: Loader = require

/**
 * Loads an optional peer dependency when a feature needs it, and only then: the core never loads one. A package
 * that is not installed is an error that names the feature and the package to install.
 */
export function loadPeer<T> (id: string, feature: string): T {
  try {
    return loader(id) as T
  } catch (err) {
    // Only the package itself: a package of its own that it cannot find is its error, passed on as it is.
    const missing = err instanceof Error && (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && err.message.includes(`'${id}'`)
    if (!missing) throw err
    throw new FST_HEALTH_MISSING_PEER(`${feature} needs the optional peer dependency "${id}", which is not installed; add it with \`npm install ${id}\``)
  }
}

/** Replaces the loader (tests only); returns the one it replaced. */
export function setPeerLoader (next: Loader): Loader {
  const previous = loader
  loader = next
  return previous
}
