// Small helpers shared by the Markdown and HTML reports.
import type { HumanAttempt, RunReport, StepLine } from './run-report';

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
