// examples/kubernetes/deployment.yaml: it parses, its probes point at the paths and port the full example serves, its
// timings fit the plugin's, and a kubelet-style prober using its probe settings reaches the right verdict against
// the running example: started, healthy, a liveness check failing (restart), a check hanging, and a shutdown under way.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { probeUntilVerdict, type ProbeSpec } from './helpers/kubelet'
import { distBuilt, ROOT, startExample } from '../helpers/process'
import { startUpstream } from './helpers/upstream'

const PLUGIN_CHECK_TIMEOUT = 800 // the plugin's default `timeout`, which the example keeps
const PERIOD_MS = 50 // periodSeconds, shortened

t.test('the Kubernetes manifest matches the example and its probes reach the right verdicts', async t => {
  t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
  const docs = parseAllDocuments(await readFile(join(ROOT, 'examples/kubernetes/deployment.yaml'), 'utf8'))
  for (const doc of docs) t.same(doc.errors, [], 'the manifest is valid YAML')
  const objects = docs.map(doc => doc.toJS())
  const deployment = objects.find(o => o.kind === 'Deployment')
  const service = objects.find(o => o.kind === 'Service')
  t.equal(deployment.apiVersion, 'apps/v1')
  t.same(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels, 'the selector matches the pod labels (required by apps/v1)')
  t.same(service.spec.selector, deployment.spec.template.metadata.labels, 'the Service selects the pods')

  const pod = deployment.spec.template.spec
  const [container] = pod.containers
  const env: Record<string, string> = Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value]))
  const containerPort: number = container.ports[0].containerPort
  const liveness: ProbeSpec = container.livenessProbe
  const readiness: ProbeSpec = container.readinessProbe
  const startup: ProbeSpec = container.startupProbe
  t.ok(startup !== undefined, 'the container has a startupProbe')
  t.equal(startup.httpGet.path, '/health/started', 'the startup probe asks the plugin\'s startup route (startupPath, default)')
  t.equal(startup.httpGet.port, containerPort, 'startup probes the container port')
  t.equal(startup.successThreshold ?? 1, 1, 'a startupProbe\'s successThreshold must be 1 (Kubernetes rejects others)')
  t.equal(container.livenessProbe.initialDelaySeconds, undefined, 'liveness needs no initialDelaySeconds: the startup probe holds it back')
  const startupBudget = (startup.failureThreshold ?? 3) * (startup.periodSeconds ?? 10)
  t.ok(startupBudget >= 30, `the startup probe allows ${startupBudget} s to start (failureThreshold x periodSeconds)`)
  t.equal(Number(env.PORT), containerPort, 'the app is told to listen on the container port')
  t.equal(liveness.httpGet.port, containerPort, 'liveness probes the container port')
  t.equal(readiness.httpGet.port, containerPort, 'readiness probes the container port')
  t.equal(service.spec.ports[0].targetPort, containerPort, 'the Service sends traffic to the container port')
  for (const [name, probe] of [['startup', startup], ['liveness', liveness], ['readiness', readiness]] as const) {
    t.ok((probe.timeoutSeconds ?? 1) * 1000 > PLUGIN_CHECK_TIMEOUT, `${name} timeoutSeconds leaves room for the ${PLUGIN_CHECK_TIMEOUT} ms check timeout`)
  }
  const delay = Number(env.SHUTDOWN_DELAY_MS)
  t.ok(pod.terminationGracePeriodSeconds * 1000 >= delay + 10_000, `terminationGracePeriodSeconds (${pod.terminationGracePeriodSeconds} s) covers the ${delay} ms shutdown delay plus 10 s of draining`)

  const upstream = await startUpstream(t)
  // The manifest's environment, except the address: loopback and a port the system picks.
  // LOG_LEVEL info: the test waits for the plugin's "readiness is now not_ready" line after SIGTERM.
  const app = await startExample(t, 'examples/full.ts', { ...env, HOST: '127.0.0.1', PORT: '0', EXTERNAL_API_URL: upstream.url, LOG_LEVEL: 'info' })
  // Each line is waited for: the second may arrive in a later chunk than the first.
  const [health] = await app.proc.waitFor(/Health check endpoint: \S+\n/)
  const [ready] = await app.proc.waitFor(/Ready check endpoint: \S+\n/)
  t.equal(health, `Health check endpoint: ${app.baseUrl}${liveness.httpGet.path}\n`, 'the app serves liveness where the manifest probes it')
  t.equal(ready, `Ready check endpoint: ${app.baseUrl}${readiness.httpGet.path}\n`, 'the app serves readiness where the manifest probes it')

  const probe = async (spec: ProbeSpec): ReturnType<typeof probeUntilVerdict> => await probeUntilVerdict(spec, '127.0.0.1', app.port, PERIOD_MS)

  // The kubelet runs the startup probe first, and the others only once it has succeeded.
  const started = await probe(startup)
  t.equal(started.verdict, 'succeeded', 'startup succeeds (the example has no startup checks: started once ready)')
  t.same(started.attempts.map(a => a.detail), ['200'], 'at the first attempt')

  const healthy = await probe(liveness)
  t.equal(healthy.verdict, 'succeeded', 'healthy: liveness succeeds')
  t.equal((await probe(readiness)).verdict, 'succeeded', 'healthy: readiness succeeds')

  upstream.setMode('error')
  const broken = await probe(liveness)
  t.equal(broken.verdict, 'failed', 'external_api failing: liveness fails, the kubelet would restart the container')
  t.equal(broken.attempts.length, liveness.failureThreshold, `after failureThreshold (${liveness.failureThreshold}) failures in a row`)
  t.same(broken.attempts.map(a => a.detail), Array(liveness.failureThreshold).fill('503'), 'each a 503')
  t.equal((await probe(readiness)).verdict, 'succeeded', 'readiness is not affected by a liveness check')

  upstream.setMode('hang')
  const hung = await probe(liveness)
  t.equal(hung.verdict, 'failed', 'external_api hanging: liveness fails')
  t.same(hung.attempts.map(a => a.detail), Array(liveness.failureThreshold).fill('503'),
    'by the plugin\'s 503 after its 800 ms check timeout, not by the probe\'s own timeout')
  t.comment(`hanging check: probe answers in ${hung.attempts.map(a => Math.round(a.ms)).join(', ')} ms (timeoutSeconds ${liveness.timeoutSeconds})`)

  upstream.setMode('ok')
  t.equal((await probe(liveness)).verdict, 'succeeded', 'recovered: liveness succeeds again')

  // SIGTERM (what the kubelet sends on pod deletion): readiness fails at once, liveness keeps passing during the
  // delay, so the pod leaves the endpoints without being restarted.
  app.proc.child.kill('SIGTERM')
  await app.proc.waitFor(/readiness is now not_ready/)
  const leaving = await probe(readiness)
  t.equal(leaving.verdict, 'failed', 'shutting down: readiness fails')
  t.equal(leaving.attempts.length, readiness.failureThreshold, `after failureThreshold (${readiness.failureThreshold}) failure`)
  t.equal((await probe(liveness)).verdict, 'succeeded', 'shutting down: liveness still succeeds (no restart)')
})
