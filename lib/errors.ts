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

/** A route's `config.health.requires` names a check that is not registered. */
export const FST_HEALTH_UNKNOWN_CHECK = createError<'FST_HEALTH_UNKNOWN_CHECK', [string]>(
  'FST_HEALTH_UNKNOWN_CHECK',
  'fastify-health: %s'
)

/**
 * A route that requires checks was asked while one of them is failing: the route answers 503 (with `Retry-After`)
 * through the app's error handling, before its handler runs.
 */
export const FST_HEALTH_DEPENDENCY_UNAVAILABLE = createError<'FST_HEALTH_DEPENDENCY_UNAVAILABLE', [string]>(
  'FST_HEALTH_DEPENDENCY_UNAVAILABLE',
  'fastify-health: %s',
  503
)

/** A check's `dependsOn` names no check, names several, or the dependencies form a cycle. */
export const FST_HEALTH_INVALID_DEPENDENCY = createError<'FST_HEALTH_INVALID_DEPENDENCY', [string]>(
  'FST_HEALTH_INVALID_DEPENDENCY',
  'fastify-health: %s'
)

/** A group is named that nobody declared (by a check's `groups`, or `app.health.run()`), or is declared twice. */
export const FST_HEALTH_UNKNOWN_GROUP = createError<'FST_HEALTH_UNKNOWN_GROUP', [string]>(
  'FST_HEALTH_UNKNOWN_GROUP',
  'fastify-health: %s'
)

/** An integration was given an app on which the plugin is not registered. */
export const FST_HEALTH_NOT_REGISTERED = createError<'FST_HEALTH_NOT_REGISTERED', [string]>(
  'FST_HEALTH_NOT_REGISTERED',
  'fastify-health: %s'
)

/** `app.health.whenStarted()` rejects with this when the app closes before start-up has finished. */
export const FST_HEALTH_CLOSED_BEFORE_STARTED = createError<'FST_HEALTH_CLOSED_BEFORE_STARTED', [string]>(
  'FST_HEALTH_CLOSED_BEFORE_STARTED',
  'fastify-health: %s'
)

/** The watchdog's port cannot be bound (in use, or an address this host does not have). */
export const FST_HEALTH_WATCHDOG_LISTEN = createError<'FST_HEALTH_WATCHDOG_LISTEN', [string]>(
  'FST_HEALTH_WATCHDOG_LISTEN',
  'fastify-health: %s'
)

/** A feature needs an optional peer dependency that is not installed (`@opentelemetry/api`, `@grpc/grpc-js`). */
export const FST_HEALTH_MISSING_PEER = createError<'FST_HEALTH_MISSING_PEER', [string]>(
  'FST_HEALTH_MISSING_PEER',
  'fastify-health: %s'
)
