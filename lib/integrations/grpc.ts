import type * as Grpc from '@grpc/grpc-js'
import type { FastifyInstance } from 'fastify'
import { sourceOf } from './adapter'
import { healthServiceOf, type HealthService } from './grpc-service'
import { loadPeer } from './peer'

/**
 * `fastify-health/grpc`: the gRPC health service, `grpc.health.v1.Health` as the official proto defines it
 * (https://github.com/grpc/grpc-proto/blob/master/grpc/health/v1/health.proto), for @grpc/grpc-js servers.
 */
export { healthDefinition, ServingStatus, type HealthService } from './grpc-service'

/**
 * The gRPC health service of an app with fastify-health registered: `Check` and `List` answer what the groups'
 * routes would (a run in progress is shared, background results are read), `Watch` sends the current status at once
 * and then each change as it happens, driven by the checks' status changes. Service names: `""` and `readiness`
 * (readiness), `liveness`, `startup`, and each custom group by its name. Needs `@grpc/grpc-js`.
 */
export function healthService (app: FastifyInstance): HealthService {
  const source = sourceOf(app, 'healthService()')
  const { status } = loadPeer<typeof Grpc>('@grpc/grpc-js', 'healthService()')
  return healthServiceOf(source, status)
}
