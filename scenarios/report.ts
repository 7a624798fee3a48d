// How `runbook test` tells its results: a line per scenario as it ends, the problems of failed
// ones, coverage per runbook, the live model's agreement; or all of it as JSON, or JUnit XML.
import { formatDiagnostic } from '../dsl/diagnostics';
import type { RunbookCoverage } from './coverage';
import type { ScenarioOutcome, SuiteResult } from './suite';

export function progressLine(o: ScenarioOutcome): string {
  return `${o.ok ? 'PASS' : 'FAIL'}  ${o.runbook} › ${o.scenario}  (${o.durationMs} ms)`;
}

export function summaryText(result: SuiteResult, minCoverage?: number): string[] {
  const lines: string[] = [];
  for (const f of result.invalid) for (const d of f.diagnostics) lines.push(formatDiagnostic(d));
  const failed = result.scenarios.filter((s) => !s.ok);
  for (const s of failed) {
    lines.push('', `FAIL ${s.runbook} › ${s.scenario}  (${s.where})`);
    for (const p of s.problems) lines.push(...p.split('\n').map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)));
    if (s.actual?.refused.length) lines.push('  refused updates:', ...s.actual.refused.map((r) => `    ${r}`));
  }
  if (result.coverage.length) lines.push('', 'coverage:');
  for (const c of result.coverage) lines.push(...coverageLines(c));
  const live = result.scenarios.flatMap((s) => s.live);
  if (live.length) lines.push('', ...liveLines(result));
  const passed = result.scenarios.length - failed.length;
  const below = minCoverage === undefined ? [] : result.coverage.filter((c) => c.percent < minCoverage);
  lines.push(
    '',
    `${passed} of ${result.scenarios.length} scenario(s) passed` +
      (result.invalid.length ? `; ${result.invalid.length} test file(s) invalid` : '') +
      (below.length ? `; coverage below ${minCoverage}%: ${below.map((c) => `${c.runbook} ${c.percent}%`).join(', ')}` : '') +
      ` in ${(result.durationMs / 1000).toFixed(1)} s (the runs' own time: ${formatDuration(result.runTimeMs)})`,
  );
  return lines;
}

function coverageLines(c: RunbookCoverage): string[] {
  const missing = c.items.filter((i) => !i.covered);
  return [
    `  ${c.runbook.padEnd(28)} ${String(c.percent).padStart(5)}%  (${c.covered}/${c.total})  ${c.file}`,
    ...missing.map((i) => `      not covered: ${i.step} ${i.what}`),
  ];
}

function liveLines(result: SuiteResult): string[] {
  const lines = ['live model (each decision on the scenario evidence, compared with the scenario):'];
  const all = result.scenarios.flatMap((s) => s.live.map((l) => ({ ...l, scenario: `${s.runbook} › ${s.scenario}` })));
  for (const l of all) {
    lines.push(
      `  ${l.agreed ? 'agree   ' : 'disagree'} ${l.scenario} › ${l.step}: expected ${JSON.stringify(l.expected)}, model ${JSON.stringify(l.got)} (confidence ${l.confidence}, ${l.tokens} tokens, ${l.latencyMs} ms)`,
    );
  }
  const comparable = all.filter((l) => l.expected !== undefined);
  const agreed = comparable.filter((l) => l.agreed).length;
  const latencies = all.map((l) => l.latencyMs).sort((a, b) => a - b);
  lines.push(
    `  agreed ${agreed} of ${comparable.length} (${comparable.length ? Math.round((100 * agreed) / comparable.length) : 0}%); ` +
      `${all.reduce((n, l) => n + l.tokens, 0)} tokens; latency median ${latencies[Math.floor(latencies.length / 2)] ?? 0} ms, max ${latencies.at(-1) ?? 0} ms`,
  );
  return lines;
}

function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function jsonReport(result: SuiteResult, minCoverage?: number): unknown {
  return {
    ok: isSuccess(result, minCoverage),
    invalid: result.invalid,
    scenarios: result.scenarios.map(({ actual, ...s }) => ({
      ...s,
      ...(actual && {
        status: actual.status,
        error: actual.error,
        path: actual.path,
        outputs: actual.outputs,
        compensations: actual.compensations,
        asked: actual.asked,
        refused: actual.refused,
      }),
    })),
    coverage: result.coverage,
    durationMs: result.durationMs,
    startupMs: result.startupMs,
    runTimeMs: result.runTimeMs,
  };
}

export function isSuccess(result: SuiteResult, minCoverage?: number): boolean {
  return (
    result.invalid.length === 0 && result.scenarios.every((s) => s.ok) && (minCoverage === undefined || result.coverage.every((c) => c.percent >= minCoverage))
  );
}

/** JUnit XML as CI systems read it: a suite per test file, a case per scenario. */
export function junitReport(result: SuiteResult): string {
  const byFile = new Map<string, ScenarioOutcome[]>();
  for (const s of result.scenarios) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const suites = [...byFile].map(([file, list]) => {
    const cases = list.map((s) => {
      const head = `    <testcase classname="${xml(s.runbook)}" name="${xml(s.scenario)}" file="${xml(file)}" time="${(s.durationMs / 1000).toFixed(3)}"`;
      if (s.ok) return `${head}/>`;
      return `${head}>\n      <failure message="${xml(s.problems[0] ?? 'failed')}">${xml(s.problems.join('\n\n'))}</failure>\n    </testcase>`;
    });
    const failures = list.filter((s) => !s.ok).length;
    const time = list.reduce((t, s) => t + s.durationMs, 0) / 1000;
    return `  <testsuite name="${xml(file)}" tests="${list.length}" failures="${failures}" errors="0" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const invalid = result.invalid.map(
    (f) =>
      `  <testsuite name="${xml(f.file)}" tests="1" failures="0" errors="1">\n    <testcase classname="runbook-test" name="${xml(f.file)} is valid">\n` +
      `      <error message="invalid test file">${xml(f.diagnostics.map(formatDiagnostic).join('\n'))}</error>\n    </testcase>\n  </testsuite>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="runbook test">\n${[...suites, ...invalid].join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
  const allowed = [...text].filter((c) => c >= ' ' || c === '\t' || c === '\n' || c === '\r').join('');
  return allowed.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}
