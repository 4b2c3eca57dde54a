import createError from '@fastify/error'

/**
 * Every error this package throws carries a stable `code` and a message that starts with
 * `fastify-health:`, so that a failed `register()` or `addHealthCheck()` says whose it is.
 */

/** A plugin option (or a built-in check's option) has the wrong type or value. */
export const FST_HEALTH_INVALID_OPTION = createError<'FST_HEALTH_INVALID_OPTION', [string]>(
  'FST_HEALTH_INVALID_OPTION',
  'fastify-health: %s',
  500,
  TypeError
)

/** A check name is not a non-empty string. */
export const FST_HEALTH_INVALID_CHECK_NAME = createError<'FST_HEALTH_INVALID_CHECK_NAME', [string]>(
  'FST_HEALTH_INVALID_CHECK_NAME',
  'fastify-health: %s',
  500,
  TypeError
)

/** A check is not a function. */
export const FST_HEALTH_INVALID_CHECK = createError<'FST_HEALTH_INVALID_CHECK', [string]>(
  'FST_HEALTH_INVALID_CHECK',
  'fastify-health: %s',
  500,
  TypeError
)

/** A check of that kind with that name is already registered. */
export const FST_HEALTH_DUPLICATE_CHECK = createError<'FST_HEALTH_DUPLICATE_CHECK', [string]>(
  'FST_HEALTH_DUPLICATE_CHECK',
  'fastify-health: %s'
)

/** A check of a kind asked for a run of that same kind while that run was starting (it would recurse for ever). */
export const FST_HEALTH_REENTRANT_RUN = createError<'FST_HEALTH_REENTRANT_RUN', [string]>(
  'FST_HEALTH_REENTRANT_RUN',
  'fastify-health: %s'
)

/** The plugin is registered a second time in the same context (or in a context that inherits it). */
export const FST_HEALTH_ALREADY_REGISTERED = createError<'FST_HEALTH_ALREADY_REGISTERED', [string]>(
  'FST_HEALTH_ALREADY_REGISTERED',
  'fastify-health: %s'
)

/** The watchdog's port cannot be bound (in use, or an address this host does not have). */
export const FST_HEALTH_WATCHDOG_LISTEN = createError<'FST_HEALTH_WATCHDOG_LISTEN', [string]>(
  'FST_HEALTH_WATCHDOG_LISTEN',
  'fastify-health: %s'
)
