// A scenario's `expect` against what its run did: each mismatch is one problem, with the
// expected and the actual side by side where a list is compared.
import { isDeepStrictEqual } from 'node:util';
import type { TrailEntry } from '../contract/run';
import type { Scenario } from '../dsl/test-file';
import type { Actual } from './session';

export function compareExpectations(expect: Scenario['expect'], actual: Actual): string[] {
  const problems: string[] = [];
  if (expect.status !== undefined && expect.status !== actual.status) {
    problems.push(`status: expected ${expect.status}, got ${actual.status}${actual.error ? ` (${actual.error})` : ''}`);
  }
  if (expect.error !== undefined && !(actual.error ?? '').includes(expect.error)) {
    problems.push(`error: expected it to contain "${expect.error}", got ${actual.error === undefined ? 'no error' : `"${actual.error}"`}`);
  }
  if (expect.path !== undefined) {
    const diff = listDiff('path', expect.path.map(pathEntryText), actual.path.map(trailText));
    if (diff) problems.push(diff);
  }
  for (const [key, value] of Object.entries(expect.outputs ?? {})) {
    if (!isDeepStrictEqual(actual.outputs[key], value)) {
      problems.push(
        `outputs.${key}: expected ${JSON.stringify(value)}, got ${actual.outputs[key] === undefined ? 'nothing' : JSON.stringify(actual.outputs[key])}`,
      );
    }
  }
  if (expect.compensations !== undefined) {
    const diff = listDiff('compensations', expect.compensations, actual.compensations);
    if (diff) problems.push(diff);
  }
  if (expect.asked !== undefined) {
    const text = (q: { step: string; who?: string[] }) => (q.who === undefined ? q.step : `${q.step} (${[...q.who].sort().join(', ') || 'anyone'})`);
    // Who was asked is compared only where the expectation says who.
    const actualText = actual.asked.map((q, i) => text(expect.asked![i]?.who === undefined ? { step: q.step } : q));
    const diff = listDiff('asked', expect.asked.map(text), actualText);
    if (diff) problems.push(diff);
  }
  return problems;
}

function pathEntryText(entry: string | Record<string, string>): string {
  if (typeof entry === 'string') return entry;
  const [step, status] = Object.entries(entry)[0]!;
  return status === 'succeeded' ? step : `${step}: ${status}`;
}

function trailText(t: TrailEntry): string {
  return t.status === 'succeeded' ? t.step : `${t.step}: ${t.status}`;
}

/** Undefined when equal; otherwise both lists, one item per line, marking the first difference. */
function listDiff(what: string, expected: string[], actual: string[]): string | undefined {
  if (isDeepStrictEqual(expected, actual)) return undefined;
  let first = 0;
  while (first < expected.length && expected[first] === actual[first]) first++;
  const width = Math.max(8, ...expected.map((e) => e.length));
  const rows = Array.from({ length: Math.max(expected.length, actual.length) }, (_, i) => {
    const mark = i === first ? '>' : ' ';
    return `  ${mark} ${(expected[i] ?? '—').padEnd(width)}  ${actual[i] ?? '—'}`;
  });
  return [`${what} differs from item ${first + 1}:`, `    ${'expected'.padEnd(width)}  actual`, ...rows].join('\n');
}
