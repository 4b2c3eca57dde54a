// The pushgateway publisher against a real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, started by the
// test on a loopback port with a temporary persistence file): the pushes arrive under the job and instance given, a
// failing check changes the pushed value, and the final push, when the app closes, arrives with readiness down.
// Real time: the publisher pushes every 200 ms; each wait below allows 10 s.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import healthPlugin from '../../lib/index'
import { pushgateway } from '../../lib/integrations/publishers/index'
import { get } from '../helpers/net'
import { freePort, pollUntil, startProcess, stop } from '../helpers/process'
import { requirePrograms } from './helpers/programs'

const bins = requirePrograms(t, ['prometheus-pushgateway'])
if (bins !== undefined) {
  t.test('a real Pushgateway receives the pushes, the failures and the final push', async t => {
    const dir = await mkdtemp(join(tmpdir(), 'fastify-health-pushgateway-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const port = await freePort()
    const gateway = startProcess(t, 'prometheus-pushgateway', bins['prometheus-pushgateway'], [
      `--web.listen-address=127.0.0.1:${port}`,
      `--persistence.file=${join(dir, 'pushgateway.data')}`
    ])
    t.teardown(async () => { await stop(gateway, 'SIGTERM', 5000) })
    const base = `http://127.0.0.1:${port}`
    await pollUntil('the Pushgateway to answer', async () => (await get(`${base}/-/ready`)).status === 200 ? true : undefined, 15_000)

    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(healthPlugin)
    let db = true
    app.addReadyCheck('db', () => db)
    app.addReadyCheck('cache', () => true, { critical: false })
    app.health.addPublisher(pushgateway({ url: base, job: 'e2e', instance: 'pod-1' }), { interval: 200 })
    await app.ready()

    const series = async (): Promise<string[]> => (await get(`${base}/metrics`)).body.split('\n')
      .filter(line => /^health_(check|group)_status\{/.test(line) && line.includes('job="e2e"')).sort()
    const seen = async (line: string): Promise<string[]> => await pollUntil(`${line} in the Pushgateway`, async () => {
      const lines = await series()
      return lines.includes(line) ? lines : undefined
    }, 10_000, 50)

    const up = await seen('health_group_status{group="ready",instance="pod-1",job="e2e"} 1')
    t.same(up, [
      'health_check_status{check="cache",critical="false",group="ready",instance="pod-1",job="e2e"} 1',
      'health_check_status{check="db",critical="true",group="ready",instance="pod-1",job="e2e"} 1',
      'health_group_status{group="ready",instance="pod-1",job="e2e"} 1'
    ], 'one gauge per check and one for the group, under the grouping key')

    db = false
    const down = await seen('health_check_status{check="db",critical="true",group="ready",instance="pod-1",job="e2e"} 0')
    t.ok(down.includes('health_group_status{group="ready",instance="pod-1",job="e2e"} 0'), 'the failing check took the group down')

    db = true
    await seen('health_group_status{group="ready",instance="pod-1",job="e2e"} 1')
    await app.close()
    const final = await series()
    t.same(final, [
      'health_check_status{check="shutdown",critical="true",group="ready",instance="pod-1",job="e2e"} 0',
      'health_group_status{group="ready",instance="pod-1",job="e2e"} 0'
    ], 'the final push arrived before close() resolved: readiness down for the shutdown')
  })
}
