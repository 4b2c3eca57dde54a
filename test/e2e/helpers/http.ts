import { request } from 'node:http'

export interface HttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** Milliseconds from sending the request to the end of the response. */
  ms: number
}

/** One GET on a fresh connection (no keep-alive pool shared between probes), failing after `timeoutMs`. */
export async function get (url: string, options: { timeoutMs?: number, headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const started = performance.now()
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString(),
        ms: performance.now() - started
      }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** GET and parse the JSON body. */
export async function getJson (url: string, options?: { timeoutMs?: number }): Promise<HttpResult & { json: any }> {
  const result = await get(url, options)
  return { ...result, json: JSON.parse(result.body) }
}
