/**
 * The protocol buffers wire format, as far as the four messages of `grpc.health.v1` need it: varints, and
 * length-delimited fields (strings, embedded messages, map entries). Unknown fields of any wire type are skipped, as
 * proto3 requires. https://protobuf.dev/programming-guides/encoding/
 */

export const VARINT = 0
export const I64 = 1
export const LEN = 2
export const I32 = 5

/** A malformed message: deserialising it fails the call rather than the process. */
export class ProtobufError extends Error {
  override name = 'ProtobufError'
}

/** Builds a message field by field. */
export class Writer {
  readonly #bytes: number[] = []

  /** A non-negative integer up to 2^53 - 1, seven bits a byte, least significant first. */
  varint (value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`protobuf: a varint must be a non-negative safe integer, received ${value}`)
    let rest = value
    while (rest >= 0x80) {
      this.#bytes.push((rest % 0x80) | 0x80)
      rest = Math.floor(rest / 0x80)
    }
    this.#bytes.push(rest)
    return this
  }

  tag (field: number, wireType: number): this {
    return this.varint(field * 8 + wireType)
  }

  /** A length-delimited field: a string (UTF-8) or an embedded message. */
  bytes (field: number, value: string | Uint8Array): this {
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    this.tag(field, LEN).varint(data.length)
    for (const byte of data) this.#bytes.push(byte)
    return this
  }

  finish (): Buffer {
    return Buffer.from(this.#bytes)
  }
}

/** Reads a message field by field. */
export class Reader {
  readonly #buffer: Uint8Array
  #offset = 0

  constructor (buffer: Uint8Array) {
    this.#buffer = buffer
  }

  get done (): boolean {
    return this.#offset >= this.#buffer.length
  }

  /** A varint; one past 2^53 loses precision (only skipped values are ever that large here). */
  varint (): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (this.#offset >= this.#buffer.length) throw new ProtobufError('protobuf: truncated varint')
      const byte = this.#buffer[this.#offset++]
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 0x80
    }
    throw new ProtobufError('protobuf: varint longer than 10 bytes')
  }

  /** The next field's number and wire type. */
  tag (): { field: number, wireType: number } {
    const key = this.varint()
    const field = Math.floor(key / 8)
    if (field === 0) throw new ProtobufError('protobuf: field number 0')
    return { field, wireType: key % 8 }
  }

  bytes (): Uint8Array {
    const length = this.varint()
    if (length > this.#buffer.length - this.#offset) throw new ProtobufError('protobuf: length past the end of the message')
    const start = this.#offset
    this.#offset += length
    return this.#buffer.subarray(start, this.#offset)
  }

  string (): string {
    return Buffer.from(this.bytes()).toString('utf8')
  }

  /** Skips a field of an unknown number. */
  skip (wireType: number): void {
    if (wireType === VARINT) this.varint()
    else if (wireType === LEN) this.bytes()
    else if (wireType === I64 || wireType === I32) this.#advance(wireType === I64 ? 8 : 4)
    else throw new ProtobufError(`protobuf: unsupported wire type ${wireType}`)
  }

  #advance (count: number): void {
    if (count > this.#buffer.length - this.#offset) throw new ProtobufError('protobuf: fixed-width field past the end of the message')
    this.#offset += count
  }
}

/** `message HealthCheckRequest { string service = 1; }` */
export interface HealthCheckRequest { service: string }
/** `message HealthCheckResponse { ServingStatus status = 1; }` */
export interface HealthCheckResponse { status: number }
/** `message HealthListResponse { map<string, HealthCheckResponse> statuses = 1; }` */
export interface HealthListResponse { statuses: Record<string, HealthCheckResponse> }

/** Reads the fields of a message, handing the known ones to `read` (which returns false for an unknown one). */
function fields (buffer: Uint8Array, read: (reader: Reader, field: number, wireType: number) => boolean): void {
  const reader = new Reader(buffer)
  while (!reader.done) {
    const { field, wireType } = reader.tag()
    if (!read(reader, field, wireType)) reader.skip(wireType)
  }
}

export function encodeCheckRequest ({ service }: HealthCheckRequest): Buffer {
  const writer = new Writer()
  // proto3 leaves a field with its default value out.
  if (service !== '') writer.bytes(1, service)
  return writer.finish()
}

export function decodeCheckRequest (buffer: Uint8Array): HealthCheckRequest {
  const message = { service: '' }
  fields(buffer, (reader, field, wireType) => {
    if (field !== 1 || wireType !== LEN) return false
    message.service = reader.string()
    return true
  })
  return message
}

function checkResponse (status: number): Buffer {
  const writer = new Writer()
  if (status !== 0) writer.tag(1, VARINT).varint(status)
  return writer.finish()
}

export function encodeCheckResponse ({ status }: HealthCheckResponse): Buffer {
  return checkResponse(status)
}

export function decodeCheckResponse (buffer: Uint8Array): HealthCheckResponse {
  const message = { status: 0 }
  fields(buffer, (reader, field, wireType) => {
    if (field !== 1 || wireType !== VARINT) return false
    message.status = reader.varint()
    return true
  })
  return message
}

/** `message HealthListRequest {}`: nothing to write, anything read is an unknown field. */
export function encodeListRequest (): Buffer {
  return Buffer.alloc(0)
}

export function decodeListRequest (buffer: Uint8Array): Record<string, never> {
  fields(buffer, () => false)
  return {}
}

// A map field is a repeated message of entries `{ key = 1; value = 2; }`.
export function encodeListResponse ({ statuses }: HealthListResponse): Buffer {
  const writer = new Writer()
  for (const [key, value] of Object.entries(statuses)) {
    const entry = new Writer()
    if (key !== '') entry.bytes(1, key)
    entry.bytes(2, checkResponse(value.status))
    writer.bytes(1, entry.finish())
  }
  return writer.finish()
}

export function decodeListResponse (buffer: Uint8Array): HealthListResponse {
  const statuses: Record<string, HealthCheckResponse> = {}
  fields(buffer, (reader, field, wireType) => {
    if (field !== 1 || wireType !== LEN) return false
    let key = ''
    let value: HealthCheckResponse = { status: 0 }
    fields(reader.bytes(), (entry, entryField, entryWire) => {
      if (entryField === 1 && entryWire === LEN) key = entry.string()
      else if (entryField === 2 && entryWire === LEN) value = decodeCheckResponse(entry.bytes())
      else return false
      return true
    })
    // A later entry with the same key replaces an earlier one, as protobuf's maps do.
    Object.defineProperty(statuses, key, { value, enumerable: true, writable: true, configurable: true })
    return true
  })
  return { statuses }
}
