import { facts, type OutcomeView, passing, rows } from './view'

/**
 * MicroProfile Health: `{"status":"UP","checks":[{"name":"db","status":"UP","data":{…}}]}`, 200 when UP and 503 when
 * DOWN. The shape, the words and the flat `data` values (string, number or boolean) follow the specification's JSON
 * schema, eclipse/microprofile-health tck/src/main/resources/health-check-schema.json, and the two statuses of
 * api/src/main/java/org/eclipse/microprofile/health/HealthCheckResponse.java (`enum Status { UP, DOWN }`).
 *
 * `pass` and `warn` are UP; `fail`, `error` and `skipped` are DOWN, each check by its own status. The overall status
 * follows the status code, so a failing non-critical check (`"critical": false` in its data) leaves it UP. Without
 * details, `checks` is empty (the schema requires the key).
 */
export function microprofile (outcome: OutcomeView, group: string, details: boolean): string {
  const checks = details
    ? rows(outcome, group).map(row => ({ name: row.name, status: passing(row.entry.status) ? 'UP' : 'DOWN', data: facts(row) }))
    : []
  return JSON.stringify({ status: outcome.code === 200 ? 'UP' : 'DOWN', checks })
}
