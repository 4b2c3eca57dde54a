/**
 * `fastify-health/publishers`: ready-made publishers for `app.health.addPublisher()`. Each factory validates its
 * options at once (throwing FST_HEALTH_INVALID_OPTION) and returns a publisher that rejects when its request fails.
 */
export { heartbeat, type HeartbeatOptions } from './heartbeat'
export { pushgateway, type PushgatewayOptions } from './pushgateway'
