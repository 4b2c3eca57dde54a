import { performance } from 'node:perf_hooks'
import { contain, logThrown } from '../../callbacks'
import { invalid, positiveMs, rejectUnknownKeys } from '../../options'
import type { CheckResult } from '../../formats/schema'
import type { PublishContext, PublishedReport, Publisher, PublisherOptions } from '../../types'
import type { GroupReport, HealthSource } from '../source'

/** A failing publisher waits at most this many intervals before its next try. */
export const MAX_BACKOFF = 10
const MAX_TIMEOUT = 30_000
const MAX_DELAY = 2 ** 31 - 1
const KEYS = ['interval', 'group', 'timeout', 'onlyOnChange']

const subject = (key: string): string => `app.health.addPublisher() option "${key}"`

/** The statuses a report is made of: two reports with the same key need not both be published. */
function statusKey ({ passing, report }: GroupReport): string {
  const checks = report.checks as Record<string, CheckResult>
  return JSON.stringify([passing, report.status, Object.keys(checks).map(name => [name, checks[name].status])])
}

/** One publisher and its schedule: one publish at a time, every `interval` ms, doubling the delay while it fails. */
class Schedule {
  readonly #source: HealthSource
  readonly #publish: Publisher
  readonly #label: string
  readonly #group: string
  readonly #interval: number
  readonly #timeout: number
  readonly #onlyOnChange: boolean
  #delay: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #previous: PublishedReport | undefined
  #previousKey: string | undefined
  #closed = false

  constructor (source: HealthSource, publish: Publisher, label: string, options: Required<PublisherOptions>) {
    this.#source = source
    this.#publish = publish
    this.#label = label
    this.#group = options.group
    this.#interval = options.interval
    this.#timeout = options.timeout
    this.#onlyOnChange = options.onlyOnChange
    this.#delay = options.interval
  }

  /** Called once: when the app is ready, or when added to a ready app. */
  start (): void {
    this.#tick()
  }

  /** Stops the schedule, lets a publish in progress end, then publishes once more with `final: true`. */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#running
    await this.#run(true)
  }

  #tick (): void {
    this.#timer = undefined
    const started = performance.now()
    this.#running = this.#run(false).then(() => {
      this.#running = undefined
      if (this.#closed) return
      // Every `delay` ms from the start of the last publish, not from its end.
      this.#timer = setTimeout(() => { this.#tick() }, Math.max(0, started + this.#delay - performance.now()))
      // A publisher never holds the process open.
      this.#timer.unref()
    })
  }

  // Never rejects: whatever goes wrong is logged and counts as a failure.
  async #run (final: boolean): Promise<void> {
    let group: GroupReport
    try {
      group = await this.#source.report(this.#group)
    /* c8 ignore start */
    } catch (err) {
      // Runs settle with an outcome and the group was checked when the publisher was added: only a bug gets here.
      logThrown(this.#source.log, 'error', err, `fastify-health: ${this.#label} could not get the ${this.#group} report`)
      this.#failed()
      return
    }
    /* c8 ignore stop */
    const key = statusKey(group)
    if (this.#onlyOnChange && !final && key === this.#previousKey) return
    const controller = new AbortController()
    const context: PublishContext = { signal: controller.signal, previous: this.#previous, final, group: this.#group, passing: group.passing }
    const settled = await contain(report => this.#publish(report, context), group.report, this.#timeout)
    if (settled.outcome === 'value') {
      this.#previous = group.report
      this.#previousKey = key
      this.#delay = this.#interval
      return
    }
    this.#failed()
    const next = final ? 'it was the final publish' : `next try in ${this.#delay} ms`
    if (settled.outcome === 'timeout') {
      controller.abort(new DOMException(`${this.#label} timed out after ${this.#timeout} ms`, 'TimeoutError'))
      this.#source.log.warn(`fastify-health: ${this.#label} did not settle within ${this.#timeout} ms; ${next}`)
    } else {
      logThrown(this.#source.log, 'warn', settled.error, `fastify-health: ${this.#label} failed; ${next}`)
    }
  }

  #failed (): void {
    this.#delay = Math.min(this.#delay * 2, this.#interval * MAX_BACKOFF, MAX_DELAY)
  }
}

/**
 * The publishers of one app (`app.health.addPublisher`): each publishes its group's report on its own schedule from
 * the moment the app is ready, and once more when the app closes. A report is what a probe of the group would get at
 * that moment: a run in progress is shared, background results are read as they are.
 */
export class Publishers {
  readonly #source: HealthSource
  readonly #schedules: Schedule[] = []
  #ready = false
  #closing = false

  constructor (source: HealthSource) {
    this.#source = source
    this.add = this.add.bind(this)
  }

  add (publish: Publisher, options: PublisherOptions): void {
    if (typeof publish !== 'function') throw invalid('app.health.addPublisher() argument "publish"', 'a function (report, context) => void', publish)
    if (this.#closing) throw invalid('app.health.addPublisher()', 'called before the app closes', 'a call while closing')
    const normalised = this.#normalise(options)
    const schedule = new Schedule(this.#source, publish, `publisher ${this.#schedules.length + 1} (${normalised.group})`, normalised)
    this.#schedules.push(schedule)
    if (this.#ready) schedule.start()
  }

  /** The app is ready: every publisher publishes now, then on its interval. */
  ready (): void {
    this.#ready = true
    for (const schedule of this.#schedules) schedule.start()
  }

  /** The app is closing: each publisher publishes for the last time. Never rejects. */
  async close (): Promise<void> {
    this.#closing = true
    if (this.#schedules.length === 0) return
    // The publishers' timers hold nothing open; while closing waits on them (each bounded by its timeout), this does.
    const hold = setInterval(() => {}, MAX_DELAY)
    await Promise.all(this.#schedules.map(async schedule => { await schedule.close() }))
    clearInterval(hold)
  }

  #normalise (options: unknown): Required<PublisherOptions> {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw invalid('app.health.addPublisher() options', 'an object { interval, group?, timeout?, onlyOnChange? }', options)
    }
    const opts = options as Record<string, unknown>
    rejectUnknownKeys('app.health.addPublisher() options', opts, KEYS)
    const interval = positiveMs(subject('interval'), opts.interval)
    if (interval > MAX_DELAY) throw invalid(subject('interval'), `at most ${MAX_DELAY} ms`, interval)
    const groups = this.#source.groups()
    const group = opts.group ?? 'ready'
    if (typeof group !== 'string' || !groups.includes(group)) throw invalid(subject('group'), `one of ${groups.map(g => JSON.stringify(g)).join(', ')}`, group)
    const timeout = opts.timeout === undefined ? Math.min(interval, MAX_TIMEOUT) : positiveMs(subject('timeout'), opts.timeout)
    if (opts.onlyOnChange !== undefined && typeof opts.onlyOnChange !== 'boolean') throw invalid(subject('onlyOnChange'), 'a boolean', opts.onlyOnChange)
    return { interval, group, timeout, onlyOnChange: opts.onlyOnChange === true }
  }
}
