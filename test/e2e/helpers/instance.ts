// A child-process instance for the rolling-restart test: a Fastify app with the plugin (from source) and a route
// that takes WORK_MS to answer, like a real request that touches a database. Environment:
//   PORT                     where to listen on 127.0.0.1 (the test picks a free port, and reuses it on restart)
//   NAME                     returned by GET /work, so the test knows which instance answered
//   WORK_MS                  how long GET /work takes (default 50)
//   GRACEFUL_SHUTDOWN_DELAY  when set, gracefulShutdown { delay } is on; when unset it is off and SIGTERM ends the
//                            process at once (Node's default)
import Fastify from 'fastify'
import healthPlugin from '../../../lib/index'

async function main (): Promise<void> {
  const delay = process.env.GRACEFUL_SHUTDOWN_DELAY
  const workMs = Number(process.env.WORK_MS ?? 50)
  const app = Fastify()
  await app.register(healthPlugin, { gracefulShutdown: delay === undefined ? false : { delay: Number(delay) } })
  app.get('/work', async () => {
    await new Promise(resolve => setTimeout(resolve, workMs))
    return { name: process.env.NAME }
  })
  const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
  console.log(`Health check endpoint: ${address}/health`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
