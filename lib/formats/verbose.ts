import type { RunOutcome } from '../groups/group'
import type { CheckResult } from './schema'
import { escapeLine } from './escape'

function line (name: string, entry: CheckResult): string {
  const label = escapeLine(name)
  switch (entry.status) {
    case 'pass': return `[+]${label} ok`
    case 'warn': return `[+]${label} warn${entry.output === undefined ? '' : `: ${escapeLine(entry.output)}`}`
    // The error already says why: "skipped: depends on db (error)".
    case 'skipped': return `[-]${label} ${escapeLine(entry.error as string)}${entry.critical === false ? ' (non-critical)' : ''}`
    default: return `[-]${label} failed: ${escapeLine(entry.error ?? entry.status)}${entry.critical === false ? ' (non-critical)' : ''}`
  }
}

/**
 * The Kubernetes `?verbose` text: one line per check in registration order (`[+]name ok`, `[-]name failed: why`,
 * `[+]name excluded: ok`), the entries the app's own state added, then `<group> check passed` or `failed`.
 */
export function verboseText (outcome: RunOutcome): string {
  // Every report the plugin builds has its checks; only a summary (no details) lacks them.
  const checks = outcome.report.checks as Record<string, CheckResult>
  const { excluded, single } = outcome.selection
  let text = ''
  for (const state of single === null ? outcome.states : [single]) {
    const name = state.name
    if (excluded?.has(name) === true) text += `[+]${escapeLine(name)} excluded: ok\n`
    else if (Object.hasOwn(checks, name) && outcome.extra?.includes(name) !== true) text += line(name, checks[name]) + '\n'
  }
  for (const name of outcome.extra ?? []) text += line(name, checks[name]) + '\n'
  return `${text}${escapeLine(outcome.group.words.label)} check ${outcome.code === 200 ? 'passed' : 'failed'}\n`
}
