import { facts, type OutcomeView, put, type Row, rows } from './view'

/** The media type of Spring Boot Actuator's v3 health answer (spring-boot ApiVersion.V3). */
export const ACTUATOR_V3 = 'application/vnd.spring-boot.actuator.v3+json'

/**
 * Spring Boot Actuator v3 health: `{"status":"UP","components":{"db":{"status":"UP","details":{…}}}}`, what Spring
 * Boot Admin reads. Checked against spring-projects/spring-boot, spring-boot-project/spring-boot-actuator/src/main/
 * java/org/springframework/boot/actuate/:
 * - health/Status.java: the words UP, DOWN, OUT_OF_SERVICE ("taken out of service and should not be used") and
 *   UNKNOWN ("in an unknown state");
 * - health/CompositeHealth.java and health/Health.java: `status` and `components` (v3), a component's `status` and
 *   `details`, both left out when empty;
 * - health/SimpleStatusAggregator.java: the overall status is the worst of DOWN, OUT_OF_SERVICE, UP, UNKNOWN, in
 *   that order; health/SimpleHttpCodeStatusMapper.java: DOWN and OUT_OF_SERVICE answer 503, the rest 200;
 * - availability/ReadinessStateHealthIndicator.java: readiness refusing traffic is OUT_OF_SERVICE, so the app's own
 *   readiness entries (shutting down, setReady(false), not started yet) are OUT_OF_SERVICE, not DOWN;
 * - endpoint/ApiVersion.java: the v3 media type.
 *
 * `pass` and `warn` are UP, `fail` and `error` DOWN. A `skipped` check was not run: its state is UNKNOWN (it did not
 * fail; the check it depends on did, and shows DOWN itself). The overall status comes from the critical entries and
 * agrees with the status code (a 503 is never UP). Without details, `{"status":…}` only.
 */
export function actuator (outcome: OutcomeView, group: string, details: boolean): string {
  const list = rows(outcome, group)
  const status = overall(outcome.code, list, group)
  if (!details) return JSON.stringify({ status })
  const components: Record<string, unknown> = {}
  for (const row of list) put(components, row.name, { status: componentStatus(row, group), details: facts(row) })
  return JSON.stringify({ status, components })
}

const ORDER = ['DOWN', 'OUT_OF_SERVICE', 'UP', 'UNKNOWN']

function componentStatus (row: Row, group: string): string {
  switch (row.entry.status) {
    case 'pass':
    case 'warn':
      return 'UP'
    case 'skipped':
      return 'UNKNOWN'
    default:
      return row.own && group === 'ready' ? 'OUT_OF_SERVICE' : 'DOWN'
  }
}

function overall (code: number, list: readonly Row[], group: string): string {
  if (code === 200) return 'UP'
  let worst = ORDER.length - 1
  for (const row of list) if (row.critical) worst = Math.min(worst, ORDER.indexOf(componentStatus(row, group)))
  // A 503 with nothing worse than UP or UNKNOWN among the critical entries (a skipped check) is still DOWN.
  return worst <= 1 ? ORDER[worst] : 'DOWN'
}
