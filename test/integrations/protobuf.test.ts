import { join } from 'node:path'
import protobuf from 'protobufjs'
import t from 'tap'
import {
  decodeCheckRequest, decodeCheckResponse, decodeListRequest, decodeListResponse, encodeCheckRequest, encodeCheckResponse,
  encodeListRequest, encodeListResponse, ProtobufError, Reader, Writer
} from '../../lib/integrations/protobuf'

// The official health.proto, read by protobufjs (what @grpc/proto-loader builds on), is the reference each message is
// checked against, byte for byte in both directions.
const root = protobuf.loadSync(join(__dirname, '../fixtures/grpc/health.proto'))
const CheckRequest = root.lookupType('grpc.health.v1.HealthCheckRequest')
const CheckResponse = root.lookupType('grpc.health.v1.HealthCheckResponse')
const ListRequest = root.lookupType('grpc.health.v1.HealthListRequest')
const ListResponse = root.lookupType('grpc.health.v1.HealthListResponse')
const reference = (type: protobuf.Type, value: object): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish())
// protobufjs writes a field that is set even to its default; proto3 leaves it out, as we do. Both read the same.

t.test('varints: one byte below 128, seven bits a byte above, up to 2^53 - 1', async t => {
  for (const [value, bytes] of [[0, [0]], [1, [1]], [127, [0x7f]], [128, [0x80, 1]], [300, [0xac, 2]], [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]]] as const) {
    const encoded = new Writer().varint(value).finish()
    t.same([...encoded], bytes, `${value} encodes as ${bytes.join(' ')}`)
    t.equal(new Reader(encoded).varint(), value, `${value} decodes back`)
  }
  const max = new Writer().varint(Number.MAX_SAFE_INTEGER).finish()
  t.equal(new Reader(max).varint(), Number.MAX_SAFE_INTEGER)
  t.throws(() => new Writer().varint(-1), RangeError)
  t.throws(() => new Writer().varint(1.5), RangeError)
  // A negative int32 is ten bytes on the wire: read (lossily), so that it can be skipped.
  t.type(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varint(), 'number')
})

t.test('HealthCheckRequest matches protobufjs both ways', async t => {
  for (const service of ['', 'readiness', 'a custom group', 'ünïcødé ✓', 'x'.repeat(300)]) {
    const ours = encodeCheckRequest({ service })
    if (service !== '') t.same(ours, reference(CheckRequest, { service }), `${JSON.stringify(service.slice(0, 20))} encodes as protobufjs does`)
    else t.equal(ours.length, 0, 'the default service name is left out')
    t.same(decodeCheckRequest(ours), { service })
    t.same(decodeCheckRequest(reference(CheckRequest, { service })), { service })
  }
})

t.test('HealthCheckResponse matches protobufjs both ways, the default status left out', async t => {
  for (const status of [0, 1, 2, 3]) {
    const ours = encodeCheckResponse({ status })
    if (status !== 0) t.same(ours, reference(CheckResponse, { status }), `status ${status}`)
    t.same(decodeCheckResponse(ours), { status })
    t.same(decodeCheckResponse(reference(CheckResponse, { status })), { status })
  }
  t.equal(encodeCheckResponse({ status: 0 }).length, 0, 'UNKNOWN (0) is the default: no bytes')
})

t.test('HealthListRequest is empty; HealthListResponse is a map of entries', async t => {
  t.same(encodeListRequest(), reference(ListRequest, {}))
  t.same(decodeListRequest(Buffer.alloc(0)), {})
  const statuses = { '': { status: 1 }, liveness: { status: 1 }, readiness: { status: 2 }, startup: { status: 0 } }
  const ours = encodeListResponse({ statuses })
  const decoded = ListResponse.toObject(ListResponse.decode(ours), { defaults: true }) as { statuses: Record<string, { status: number }> }
  t.same(decoded.statuses, statuses, 'protobufjs reads our map')
  t.same(decodeListResponse(reference(ListResponse, { statuses })), { statuses }, 'we read protobufjs\'s map')
  t.same(decodeListResponse(ours), { statuses })
  // A map entry with a key and no value field has the default value; `__proto__` is a key like any other.
  const odd = new Writer().bytes(1, new Writer().bytes(1, '__proto__').finish()).finish()
  const oddDecoded = decodeListResponse(odd)
  t.ok(Object.hasOwn(oddDecoded.statuses, '__proto__'))
  t.same(Object.getPrototypeOf(oddDecoded.statuses), Object.prototype)
  t.same(Object.getOwnPropertyDescriptor(oddDecoded.statuses, '__proto__')?.value, { status: 0 })
})

t.test('unknown fields of every wire type are skipped', async t => {
  const withUnknown = Buffer.concat([
    new Writer().tag(7, 0).varint(99).finish(),
    new Writer().tag(8, 1).finish(), Buffer.alloc(8, 1),
    new Writer().tag(9, 5).finish(), Buffer.alloc(4, 2),
    new Writer().bytes(10, 'ignored').finish(),
    // The known field number with another wire type is unknown too.
    new Writer().tag(1, 0).varint(5).finish(),
    encodeCheckRequest({ service: 'kept' })
  ])
  t.same(decodeCheckRequest(withUnknown), { service: 'kept' })
  t.same(decodeCheckResponse(Buffer.concat([new Writer().bytes(1, 'x').finish(), encodeCheckResponse({ status: 2 })])), { status: 2 })
  t.same(decodeListRequest(withUnknown), {})
  const entry = new Writer().bytes(1, 'k').tag(3, 0).varint(1).bytes(2, encodeCheckResponse({ status: 1 })).finish()
  t.same(decodeListResponse(Buffer.concat([new Writer().tag(2, 0).varint(1).finish(), new Writer().bytes(1, entry).finish()])), { statuses: { k: { status: 1 } } })
})

t.test('malformed messages throw a ProtobufError, never read past the end', async t => {
  const cases: Array<[string, number[]]> = [
    ['truncated varint', [0x08, 0x80]],
    ['varint longer than 10 bytes', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['length past the end', [0x0a, 0x05, 0x61]],
    ['field number 0', [0x00, 0x01]],
    ['fixed64 past the end', [0x11, 1, 2, 3]],
    ['fixed32 past the end', [0x15, 1]],
    ['group wire type', [0x0b]]
  ]
  for (const [what, bytes] of cases) {
    t.throws(() => decodeCheckRequest(Buffer.from(bytes)), ProtobufError, what)
  }
  t.throws(() => decodeCheckRequest(Buffer.from([0x08, 0x80])), { name: 'ProtobufError', message: /truncated varint/ })
})
