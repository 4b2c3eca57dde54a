import type { FastifyBaseLogger } from 'fastify'
import type { CheckStatus, HealthReport, ReadyReport, StartupReport } from '../formats/schema'

/**
 * What the integrations (metrics, publishers, the gRPC health service) read of a registered app, and nothing more.
 * One adapter (`adapter.ts`) implements it over the plugin's internals, so that the integrations do not depend on
 * how checks are stored and run.
 */
export interface HealthSource {
  readonly log: FastifyBaseLogger
  /** The plugin's `timeout`: the default bound of the integrations' own waits. */
  readonly timeout: number
  /** Every registered check as of now, in registration order. Reading runs nothing. */
  checks: () => readonly CheckView[]
  /** The names of the groups: `health`, `ready`, `startup`, then the custom ones. */
  groups: () => readonly string[]
  /**
   * Whether a group passes as of now, from the checks' latest results and the app's own state (startup, votes,
   * shutdown): true or false, or null while a check it needs has no result yet. Reading runs nothing.
   */
  groupStatus: (group: string) => boolean | null
  /**
   * The report the group's route would send: a run in progress or a cached one is shared, background results are
   * read, on-demand checks run (single-flight with probes). Rejects only for an unknown group.
   */
  report: (group: string) => Promise<GroupReport>
  /** Called after anything that may change a check's or a group's status; returns the function that unsubscribes. */
  onChange: (listener: () => void) => () => void
  /** Called after every run of a check; returns the function that unsubscribes. */
  onObservation: (listener: (observation: Observation) => void) => () => void
  /** Called once when the app begins to close; returns the function that unsubscribes. */
  onClose: (listener: () => void) => () => void
}

/** A group's report, as its route would send it, and whether it passes (the route answers 200). */
export interface GroupReport {
  readonly passing: boolean
  readonly report: HealthReport | ReadyReport | StartupReport
}

/** One check as the integrations see it. */
export interface CheckView {
  readonly name: string
  /** Every group it is in. */
  readonly groups: readonly string[]
  readonly critical: boolean
  /** Its status as reports show it now (a stale background result is `error`), or null before its first result. */
  readonly status: CheckStatus | null
}

/** How one run of a check ended. */
export type RunResult = 'pass' | 'warn' | 'fail' | 'error' | 'timeout' | 'skipped'

/** One run of a check. */
export interface Observation {
  readonly check: CheckView
  readonly outcome: RunResult
  /** Milliseconds. */
  readonly duration: number
}

export const passing = (status: CheckStatus): boolean => status === 'pass' || status === 'warn'
