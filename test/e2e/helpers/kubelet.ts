import { request } from 'node:http'

/** The fields of a Kubernetes httpGet probe that the kubelet uses, with Kubernetes' defaults. */
export interface ProbeSpec {
  httpGet: { path: string, port: number, scheme?: string }
  timeoutSeconds?: number
  periodSeconds?: number
  failureThreshold?: number
  successThreshold?: number
}

export interface ProbeAttempt {
  result: 'success' | 'failure'
  /** Status code, or why there was none ("timeout", "ECONNREFUSED"). */
  detail: string
  ms: number
}

/**
 * One probe attempt the way the kubelet makes it (pkg/probe/http): GET http://host:port/path with the kubelet's
 * User-Agent, cut off after timeoutSeconds (default 1); any status from 200 to 399 is a success, anything else, a
 * timeout or a connection error is a failure. `port` overrides the manifest's port (the test's app listens elsewhere).
 */
export async function probeOnce (spec: ProbeSpec, host: string, port: number): Promise<ProbeAttempt> {
  const timeoutMs = (spec.timeoutSeconds ?? 1) * 1000
  const started = performance.now()
  const url = `http://${host}:${port}${spec.httpGet.path}`
  return await new Promise(resolve => {
    const settle = (result: ProbeAttempt['result'], detail: string): void => resolve({ result, detail, ms: performance.now() - started })
    const req = request(url, { agent: false, headers: { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' } }, res => {
      res.resume()
      res.on('end', () => {
        clearTimeout(timer)
        const status = res.statusCode ?? 0
        settle(status >= 200 && status < 400 ? 'success' : 'failure', String(status))
      })
    })
    const timer = setTimeout(() => {
      req.destroy()
      settle('failure', 'timeout')
    }, timeoutMs)
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      settle('failure', err.code ?? err.message)
    })
    req.end()
  })
}

/**
 * Probes like the kubelet's prober worker until a verdict: `failureThreshold` failures in a row (default 3) give
 * 'failed' (liveness: restart the container; readiness: remove the pod from endpoints), `successThreshold` successes
 * in a row (default 1) give 'succeeded'. `periodMs` stands in for periodSeconds, shortened for the test.
 */
export async function probeUntilVerdict (spec: ProbeSpec, host: string, port: number, periodMs: number, maxAttempts = 10): Promise<{ verdict: 'succeeded' | 'failed', attempts: ProbeAttempt[] }> {
  const failureThreshold = spec.failureThreshold ?? 3
  const successThreshold = spec.successThreshold ?? 1
  const attempts: ProbeAttempt[] = []
  let failures = 0
  let successes = 0
  for (let i = 0; i < maxAttempts; i++) {
    const attempt = await probeOnce(spec, host, port)
    attempts.push(attempt)
    if (attempt.result === 'success') {
      successes++
      failures = 0
      if (successes >= successThreshold) return { verdict: 'succeeded', attempts }
    } else {
      failures++
      successes = 0
      if (failures >= failureThreshold) return { verdict: 'failed', attempts }
    }
    await new Promise(resolve => setTimeout(resolve, periodMs))
  }
  throw new Error(`no verdict after ${maxAttempts} attempts: ${JSON.stringify(attempts)}`)
}
