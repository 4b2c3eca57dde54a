import Fastify, { type FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import healthPlugin from '../../lib/index'
import type { HealthPluginOptions } from '../../lib/types'

/** A Fastify app with the plugin registered from source, closed when the test ends. */
export async function buildApp (t: Test, options?: HealthPluginOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(healthPlugin, options ?? {})
  return app
}
