import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { distBuilt, ROOT, startTs } from './helpers/process'

// examples/kubernetes/deployment.yaml holds exactly what app.health.kubernetesProbes() returns for the full example
// run with the manifest's environment, so the manifest cannot drift from the code.

t.test('the manifest\'s probes and grace period are what kubernetesProbes() returns for the example app', async t => {
  t.ok(distBuilt(), 'dist/ is built (npm run build) so that the example can import fastify-health')
  const docs = parseAllDocuments(await readFile(join(ROOT, 'examples/kubernetes/deployment.yaml'), 'utf8'))
  const deployment = docs.map(doc => doc.toJS()).find(o => o.kind === 'Deployment')
  const pod = deployment.spec.template.spec
  const [container] = pod.containers
  const env: Record<string, string> = Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value]))

  const proc = startTs(t, 'examples/full.ts', { ...env, KUBERNETES_PROBES: '1', LOG_LEVEL: 'warn' })
  const exit = await proc.exited
  t.equal(exit.code, 0, 'the example printed its probes and exited')
  const probes = JSON.parse(proc.stdout())
  t.strictSame({
    startupProbe: container.startupProbe,
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds
  }, probes)
})
