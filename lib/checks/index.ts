/**
 * `fastify-health/checks`: ready-made checks to pass to `addHealthCheck` / `addReadyCheck`. Each factory validates
 * its options at once (throwing FST_HEALTH_INVALID_OPTION) and returns a check that resolves `true` when healthy and
 * otherwise rejects with a message saying why, so that the report's `error` field explains the failure.
 */
export { diskSpace, DEFAULT_MIN_FREE_BYTES, type DiskSpaceOptions } from './disk-space'
export { memory, type MemoryOptions } from './memory'
export { eventLoopDelay, type EventLoopDelayOptions, type EventLoopDelayCheck } from './event-loop-delay'
export { http, type HttpCheckOptions } from './http'
export { tcp, type TcpCheckOptions } from './tcp'
