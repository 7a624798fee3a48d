// Small helpers shared by the Markdown and HTML reports.
import type { Finding } from '../contract/activities';
import type { HumanAttempt, Investigation, RunReport, StepLine } from './run-report';

export function durationOf(from: string, to: string | undefined): string {
  if (!to) return 'running';
  const ms = Date.parse(to) - Date.parse(from);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long a step took; a skipped step took no time at all. */
export function stepDuration(l: StepLine): string {
  return l.outcome === 'skipped' ? '—' : durationOf(l.startedAt, l.endedAt);
}

export function outcomeLine(r: RunReport): string {
  return `${r.outcome}${r.reason ? `: ${r.reason}` : ''}`;
}

export function stepOutcome(l: StepLine): string {
  return `${l.outcome}${l.attempts > 1 ? ` after ${l.attempts} attempts` : ''}${l.detail ? ` (${l.detail})` : ''}`;
}

export function tokens(t: { input: number; output: number; cacheRead: number; cacheWrite: number }): string {
  return `${t.input} in, ${t.output} out, ${t.cacheRead} cache read, ${t.cacheWrite} cache write`;
}

export function answerOf(a: { choice?: string; values?: Record<string, unknown> }): string {
  return a.choice ?? JSON.stringify(a.values ?? {});
}

/** What an accepted human attempt did, in the past tense. */
export function pastTenseOf(action: HumanAttempt['action']): string {
  return { approve: 'approved', reject: 'rejected', decide: 'decided' }[action];
}

/** What a report says when the run's worker had no model. */
export const NO_MODEL_LINE = 'No model configured on the worker (no ANTHROPIC_API_KEY): people answered the decide and fill steps.';

/** What the model was shown of a call's result, without the data wrapper, cut for a report line. */
export function resultExcerpt(result: string, max = 200): string {
  const inner = result.replace(/^<tool-output[^>]*>\n?/, '').replace(/\n?<\/tool-output>$/, '');
  return inner.length > max ? `${inner.slice(0, max - 1)}…` : inner;
}

/** One line on an investigation as a whole. */
export function investigationLine(inv: Investigation): string {
  const outcome = inv.finding ? 'reported a finding' : 'ended without a finding';
  return `${inv.turns} model turn(s) (${inv.model || 'no model'}), ${inv.calls.length + inv.unread.length} call(s), tokens ${tokens(inv.tokens)}; ${outcome}.`;
}

/** A hypothesis with where it comes from. */
export function hypothesisLine(h: Finding['hypotheses'][number]): string {
  return `${h.statement} (confidence ${h.confidence}${h.support.length ? `; from ${h.support.join(', ')}` : ''})`;
}
