import Fastify from 'fastify'
import type { Test } from 'tap'
import healthPlugin from '../../lib/index'
import type { HealthPluginOptions } from '../../lib/types'

/** Registers the plugin with `options` on a new app (closed when the test ends); the error it threw, or undefined. */
export async function registerWith (t: Test, options: unknown): Promise<unknown> {
  const app = Fastify()
  t.after(() => app.close())
  try {
    await app.register(healthPlugin, options as HealthPluginOptions)
    return undefined
  } catch (err) {
    return err
  }
}
