// What the validator tells an SRE: where (file:line:col), what, and how to fix it when obvious.

export type Severity = 'error' | 'warning';

/** Every class of problem the validator reports; docs/runbook-language.md lists them with examples. */
export type DiagnosticCode =
  | 'unreadable'
  | 'file-too-large'
  | 'yaml-syntax'
  | 'too-deep'
  | 'alias-limit'
  | 'not-a-mapping'
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'invalid-value'
  | 'bad-duration'
  | 'bad-regex'
  | 'step-kind'
  | 'misplaced-key'
  | 'duplicate-id'
  | 'unknown-target'
  | 'target-out-of-scope'
  | 'expression-syntax'
  | 'unknown-name'
  | 'unknown-input'
  | 'unknown-secret'
  | 'secret-outside-with'
  | 'secret-in-expression'
  | 'step-not-before'
  | 'unknown-output'
  | 'unknown-action'
  | 'unknown-step'
  | 'unknown-runbook'
  | 'runbook-cycle'
  | 'unbounded-loop'
  | 'unbounded-poll'
  | 'bad-default'
  | 'bad-json-schema'
  | 'write-tool'
  | 'bad-approval-target'
  | 'unguarded-path'
  | 'sensitive-in-prompt'
  | 'dangerous-env'
  | 'guard-without-limit'
  | 'guard-on-read'
  | 'unanchored-pattern'
  | 'unreachable'
  | 'undo-reads-own-outputs'
  | 'partial-undo'
  | 'unknown-choice'
  | 'script-mismatch'
  | 'duplicate-scenario';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}${hint} [${d.code}]`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorted by position, so the output reads top to bottom like the file. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** "did you mean `timeout`?" for a word within a small edit distance of a known one. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= allowed ? `did you mean \`${best}\`?` : undefined;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment distance: a transposition counts as one edit (`tiemout`).
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
