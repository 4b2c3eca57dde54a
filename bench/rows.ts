// The rows of the benchmark, in table order. Each is a separate server process (bench/server.mjs <name>).

/** A bound on a row's CPU per request, as a ratio to the floor's, measured in the same run. */
export interface Target {
  /** Highest acceptable median ratio of CPU µs/req to the floor's. */
  maxRatio: number
  /** Another row this one must also use less CPU per request than (median of the per-round ratios below 1). */
  below?: string
  /** The row `maxRatio` is a bound against, instead of the floor: the same route without the feature under test. */
  against?: string
}

export interface Row {
  name: string
  label: string
  target?: Target
  /** Why the row has no target: it is a reference, a peer, or compared with another build. */
  note?: string
  /** The row answers 503 by design: its non-2xx answers are not errors. */
  unavailable503?: boolean
  /**
   * The row's checks are meant to run in the background, not per request: if the server called them more often than
   * BACKGROUND_MAX_CALLS_PER_SEC, the build ignored the option and the row is reported as not available.
   */
  background?: boolean
  /** The paths the load generator asks for in turn, instead of `/health` alone. */
  paths?: readonly string[]
}

export const FLOOR = 'floor'

export const ROWS: Row[] = [
  { name: 'node-http', label: 'node:http, constant JSON (physical floor)', note: 'reference' },
  { name: FLOOR, label: '**floor**: bare Fastify route, same JSON and response schema', note: 'reference' },
  { name: 'fh-3-sync', label: 'fastify-health, 3 sync checks', target: { maxRatio: 1.05 } },
  { name: 'fh-1-async', label: 'fastify-health, 1 async check', target: { maxRatio: 1.10, below: 'under-pressure' } },
  { name: 'fh-3-async', label: 'fastify-health, 3 async checks', target: { maxRatio: 1.15 } },
  { name: 'fh-interval', label: 'fastify-health, 3 checks × 20 ms, `interval: 1000`', target: { maxRatio: 1.03 }, background: true },
  { name: 'fh-cache', label: 'fastify-health, 3 checks × 20 ms, `cacheTtl: 60000`', target: { maxRatio: 1.03 } },
  { name: 'fh-1-slow', label: 'fastify-health, 1 check × 20 ms on `/health`', note: 'reference of fh-groups: its check calls/s' },
  { name: 'fh-groups', label: 'the same check in liveness, readiness and a custom group, the three paths in turn', note: 'check calls/s as fh-1-slow: one run for every group', paths: ['/health', '/health/ready', '/health/group/payments'] },
  { name: 'fh-1000-sync', label: 'fastify-health, 1,000 sync checks', note: 'compare µs/req across builds' },
  { name: 'route-plain', label: 'an app route beside fastify-health, no `requires`', note: 'reference of route-requires' },
  { name: 'route-requires', label: 'the same route with `config.health.requires`, its check passing', target: { maxRatio: 1.03, against: 'route-plain' } },
  { name: 'route-503', label: 'a route whose handler throws the gate\'s 503 error, with Retry-After', note: 'reference of route-gated-503', unavailable503: true },
  { name: 'route-gated-503', label: 'a route gated by its failing required check', target: { maxRatio: 1.00, against: 'route-503' }, unavailable503: true },
  { name: 'under-pressure', label: '@fastify/under-pressure status route, 1 async healthCheck', note: 'peer' },
  { name: 'fastify-healthcheck', label: 'fastify-healthcheck (check on a 1 s interval)', note: 'peer' },
  { name: 'terminus', label: '@godaddy/terminus on the Fastify server, 1 async check', note: 'peer' },
  // Last in the order, so the furthest from the floor in every round: the spread of its ratio is the worst case.
  { name: 'floor-again', label: 'the floor again, in a second process (A/A control)', note: 'resolution: should read 1.00' }
]

/** 3 checks on a 1 s interval make 3 calls per second; per request they would make thousands. */
export const BACKGROUND_MAX_CALLS_PER_SEC = 30
