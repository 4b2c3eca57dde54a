/**
 * Marks a ready-made check that calls another service (`http()`, `tcp()`), with the factory's name as the value, so
 * that the plugin can warn about such a check in liveness. A global symbol: the checks and the plugin may be loaded
 * from different copies of the package.
 */
export const REMOTE = Symbol.for('fastify-health.remote')

export function markRemote<F extends (...args: never[]) => unknown> (fn: F, factory: 'http' | 'tcp'): F {
  Object.defineProperty(fn, REMOTE, { value: factory })
  return fn
}
