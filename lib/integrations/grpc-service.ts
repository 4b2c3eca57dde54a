import type * as Grpc from '@grpc/grpc-js'
import {
  decodeCheckRequest, decodeCheckResponse, decodeListRequest, decodeListResponse, encodeCheckRequest, encodeCheckResponse,
  encodeListRequest, encodeListResponse, type HealthCheckRequest, type HealthCheckResponse, type HealthListResponse
} from './protobuf'
import type { HealthSource } from './source'

/**
 * `grpc.health.v1.Health` as the official proto defines it, with hand-written (de)serialisers for its four messages:
 * https://github.com/grpc/grpc-proto/blob/master/grpc/health/v1/health.proto (Check, List, Watch) and its semantics
 * in https://github.com/grpc/grpc/blob/master/doc/health-checking.md.
 */

/** `HealthCheckResponse.ServingStatus`. */
export const ServingStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const

/** The service names of the built-in groups; `""` is what a Kubernetes gRPC probe asks by default. */
const BUILT_IN: Readonly<Record<string, string>> = { '': 'ready', liveness: 'health', readiness: 'ready', startup: 'startup' }
const BUILT_IN_GROUPS = new Set(Object.values(BUILT_IN))
/** `List` answers RESOURCE_EXHAUSTED past this many services, as the proto says. */
const MAX_LIST = 100

type Codec<T> = [(value: T) => Buffer, (buffer: Buffer) => T]

function method<Req, Res> (name: string, responseStream: boolean, request: Codec<Req>, response: Codec<Res>): Grpc.MethodDefinition<Req, Res> {
  return {
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: request[0],
    requestDeserialize: request[1],
    responseSerialize: response[0],
    responseDeserialize: response[1],
    originalName: name[0].toLowerCase() + name.slice(1)
  }
}

const checkRequest: Codec<HealthCheckRequest> = [encodeCheckRequest, decodeCheckRequest]
const checkResponse: Codec<HealthCheckResponse> = [encodeCheckResponse, decodeCheckResponse]

/** The service definition, for `server.addService()` and for a client made with `makeGenericClientConstructor()`. */
export const healthDefinition = {
  Check: method<HealthCheckRequest, HealthCheckResponse>('Check', false, checkRequest, checkResponse),
  List: method<Record<string, never>, HealthListResponse>('List', false, [encodeListRequest, decodeListRequest], [encodeListResponse, decodeListResponse]),
  Watch: method<HealthCheckRequest, HealthCheckResponse>('Watch', true, checkRequest, checkResponse)
} satisfies Grpc.ServiceDefinition

/** What `healthService()` returns: `server.addService(definition, implementation)`. */
export interface HealthService {
  definition: typeof healthDefinition
  implementation: Grpc.UntypedServiceImplementation
}

/** The group a service name stands for, or undefined for an unknown name. */
function groupOf (source: HealthSource, service: string): string | undefined {
  if (Object.hasOwn(BUILT_IN, service)) return BUILT_IN[service]
  return !BUILT_IN_GROUPS.has(service) && source.groups().includes(service) ? service : undefined
}

/** Every service name: the built-in ones, then each custom group by its name. */
function services (source: HealthSource): string[] {
  return [...Object.keys(BUILT_IN), ...source.groups().filter(group => !BUILT_IN_GROUPS.has(group))]
}

const servingOf = (passing: boolean): number => passing ? ServingStatus.SERVING : ServingStatus.NOT_SERVING

/** The service over any source of health; `status` is @grpc/grpc-js's table of status codes. */
export function healthServiceOf (source: HealthSource, status: typeof Grpc.status): HealthService {
  const serving = async (group: string): Promise<number> => servingOf((await source.report(group)).passing)

  const check: Grpc.handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
    const service = call.request.service
    const group = groupOf(source, service)
    if (group === undefined) {
      callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(service)}` })
      return
    }
    serving(group).then(value => { callback(null, { status: value }) }, /* c8 ignore next */ (err: Error) => { callback(err) })
  }

  const list: Grpc.handleUnaryCall<Record<string, never>, HealthListResponse> = (_call, callback) => {
    const names = services(source)
    // Only custom groups can make more than the built-in four.
    if (names.length > MAX_LIST) {
      callback({ code: status.RESOURCE_EXHAUSTED, details: `${names.length} services, more than the ${MAX_LIST} List may return` })
      return
    }
    Promise.all(names.map(async name => await serving(groupOf(source, name) as string))).then(values => {
      const statuses: Record<string, HealthCheckResponse> = {}
      names.forEach((name, i) => { statuses[name] = { status: values[i] } })
      callback(null, { statuses })
    }, /* c8 ignore next */ (err: Error) => { callback(err) })
  }

  const watch: Grpc.handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
    const service = call.request.service
    // Last status sent; undefined until the first.
    let sent: number | undefined
    const send = (value: number): void => {
      if (value === sent || call.cancelled) return
      sent = value
      call.write({ status: value })
    }
    const update = (): void => {
      // The first status is sent once it is known: changes before it are part of it.
      if (sent === undefined) return
      const group = groupOf(source, service)
      if (group === undefined) return send(ServingStatus.SERVICE_UNKNOWN)
      const passing = source.groupStatus(group)
      if (passing !== null) send(servingOf(passing))
    }
    const stop = (): void => {
      unsubscribe()
      unsubscribeClose()
    }
    const unsubscribe = source.onChange(update)
    // The app is closing: its last word (readiness is not serving by then) has been sent, the stream ends.
    const unsubscribeClose = source.onClose(() => {
      update()
      stop()
      if (!call.cancelled) call.end()
    })
    call.on('cancelled', stop)
    const group = groupOf(source, service)
    // An unknown name is not an error for Watch: the client is told SERVICE_UNKNOWN and the call stays open.
    if (group === undefined) send(ServingStatus.SERVICE_UNKNOWN)
    else serving(group).then(send, /* c8 ignore next */ () => {})
  }

  return { definition: healthDefinition, implementation: { Check: check, List: list, Watch: watch } }
}
