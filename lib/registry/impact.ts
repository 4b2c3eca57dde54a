/** What deciding a check's weight in its report needs to know about it. */
export interface ImpactState {
  readonly critical: boolean
  readonly impact: 'instance' | 'fleet'
  /** ms of failing after which a fleet check counts as critical again, or null for never. */
  readonly fleetGrace: number | null
  /** When the check's current effective status began, in seconds since the epoch. */
  readonly since: number
}

/**
 * Whether a check that is not passing fails its report, at `now` (ms since the epoch). A non-critical check never
 * does. A fleet check (a dependency every instance shares) does not either, since taking this instance out of
 * rotation or restarting it cannot help, until it has failed for longer than its `fleetGrace`: by then the
 * dependency may well be fine and this instance the one cut off from it.
 */
export function counts (state: ImpactState, now: number): boolean {
  if (!state.critical) return false
  if (state.impact === 'instance') return true
  return state.fleetGrace !== null && now - state.since * 1000 > state.fleetGrace
}
