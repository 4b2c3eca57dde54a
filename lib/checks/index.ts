/**
 * `fastify-health/checks`: ready-made checks to pass to `addHealthCheck` / `addReadyCheck`. Each factory validates
 * its options at once (throwing FST_HEALTH_INVALID_OPTION) and returns a check that answers with a `CheckOutcome`:
 * `pass` or `fail` with what it measured (`observedValue`, `observedUnit`) and, when it fails, a reason (`output`) that
 * the report shows as the check's `error`. It rejects only when it could not measure (a network error, a timeout).
 */
export { diskSpace, DEFAULT_MIN_FREE_BYTES, type DiskSpaceOptions } from './disk-space'
export { memory, type MemoryOptions } from './memory'
export { eventLoopDelay, type EventLoopDelayOptions, type EventLoopDelayCheck } from './event-loop-delay'
export { http, type HttpCheckOptions } from './http'
export { tcp, type TcpCheckOptions } from './tcp'
