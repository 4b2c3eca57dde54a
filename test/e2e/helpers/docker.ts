import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from '../../helpers/process'

export interface DockerfileInfo {
  /** HEALTHCHECK's exec-form command (after CMD). */
  healthcheck: string[]
  /** HEALTHCHECK's options, e.g. { interval: '30s', timeout: '10s' }. */
  healthcheckOptions: Record<string, string>
  /** CMD in exec form. */
  cmd: string[]
  /** ENV key=value pairs. */
  env: Record<string, string>
  expose: string[]
}

/** Reads examples/Dockerfile: joins continuation lines, drops comments, parses the instructions the tests use. */
export async function readDockerfile (): Promise<DockerfileInfo> {
  const text = await readFile(join(ROOT, 'examples/Dockerfile'), 'utf8')
  const lines = text.replace(/\\\n/g, ' ').split('\n').map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#'))
  const info: DockerfileInfo = { healthcheck: [], healthcheckOptions: {}, cmd: [], env: {}, expose: [] }
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/)
    const args = rest.join(' ')
    switch (instruction.toUpperCase()) {
      case 'HEALTHCHECK': {
        const match = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(args)
        if (match === null) throw new Error(`examples/Dockerfile: HEALTHCHECK is not in exec form: ${args}`)
        for (const option of match[1].trim().split(/\s+/).filter(Boolean)) {
          const [key, value] = option.slice(2).split('=')
          info.healthcheckOptions[key] = value
        }
        info.healthcheck = JSON.parse(match[2])
        break
      }
      case 'CMD':
        info.cmd = JSON.parse(args)
        break
      case 'ENV':
        for (const pair of args.split(/\s+/)) {
          const [key, value] = pair.split('=')
          info.env[key] = value
        }
        break
      case 'EXPOSE':
        info.expose.push(...rest)
        break
    }
  }
  return info
}
