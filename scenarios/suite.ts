// `runbook test`: check the test files, start one test server and worker, run every scenario
// (a few at a time), compare each with its expectations, and add up coverage per runbook.
import type { ClaudeActivities } from '../contract/activities';
import type { TrailEntry } from '../contract/run';
import type { ActionCatalog } from '../dsl/catalog';
import type { Diagnostic } from '../dsl/diagnostics';
import { expandPaths, RunbookFolders } from '../repository/runbook-files';
import { coverageOf, type RunbookCoverage } from './coverage';
import { ScenarioEnvironment } from './environment';
import { compareExpectations } from './expectations';
import { isTestFile, loadTestFile, type CheckedTestFile, type TestCase } from './load-tests';
import type { LiveAnswer } from './scripts';
import { runSession, type Actual } from './session';

export interface ScenarioOutcome {
  file: string;
  runbook: string;
  scenario: string;
  where: string;
  ok: boolean;
  problems: string[];
  durationMs: number;
  actual?: Actual;
  live: LiveAnswer[];
}

export interface SuiteOptions {
  /** The actions the test files were checked against; the worker scripts each of them. */
  catalog: ActionCatalog;
  filter?: string;
  concurrency?: number;
  peopleFile: string;
  liveModel?: ClaudeActivities;
  /** Called as each scenario ends (progress). */
  onScenario?: (outcome: ScenarioOutcome) => void;
}

export interface SuiteResult {
  /** Files that did not check: nothing of them ran. */
  invalid: Array<{ file: string; diagnostics: Diagnostic[] }>;
  scenarios: ScenarioOutcome[];
  coverage: RunbookCoverage[];
  durationMs: number;
  /** Of which starting the test server and the worker. */
  startupMs: number;
  /** The runs' own time, start to end, summed: what waiting for real would have taken at least. */
  runTimeMs: number;
}

/** The test files under these paths (folders: their `*.test.yaml` files), each checked; children are found in `searchPath` too. */
export function checkTestFiles(
  paths: string[],
  catalog: ActionCatalog,
  searchPath: readonly string[],
): { files: CheckedTestFile[]; unreadable: Array<{ file: string; reason: string }> } {
  const { files, unreadable } = expandPaths(paths);
  const folders = new RunbookFolders(searchPath);
  return { files: files.filter(isTestFile).map((f) => loadTestFile(f, catalog, folders)), unreadable };
}

export async function runSuite(files: CheckedTestFile[], options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const invalid = files.filter((f) => f.diagnostics.some((d) => d.severity === 'error')).map((f) => ({ file: f.file, diagnostics: f.diagnostics }));
  const cases = files
    .flatMap((f) => f.cases)
    .filter((c) => !options.filter || `${c.runbook.name} ${c.scenario.name}`.toLowerCase().includes(options.filter.toLowerCase()));
  if (cases.length === 0) return { invalid, scenarios: [], coverage: [], durationMs: Date.now() - started, startupMs: 0, runTimeMs: 0 };
  const runbooks = [...new Map(cases.map((c) => [c.runbook.hash, c.runbook])).values()];
  const env = await ScenarioEnvironment.start(runbooks, {
    catalog: options.catalog,
    peopleFile: options.peopleFile,
    ...(options.liveModel && { liveModel: options.liveModel }),
  });
  const startupMs = Date.now() - started;
  const scenarios: ScenarioOutcome[] = new Array(cases.length);
  try {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        scenarios[i] = await runCase(env, cases[i]!);
        options.onScenario?.(scenarios[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  } finally {
    await env.close();
  }
  return {
    invalid,
    scenarios,
    coverage: coverageFor(cases, scenarios),
    durationMs: Date.now() - started,
    startupMs,
    runTimeMs: scenarios.reduce((t, s) => t + (s.actual?.runTimeMs ?? 0), 0),
  };
}

async function runCase(env: ScenarioEnvironment, test: TestCase): Promise<ScenarioOutcome> {
  const started = Date.now();
  const base = { file: test.file, runbook: test.runbook.name, scenario: test.scenario.name, where: test.where };
  try {
    const { actual, problems, live } = await runSession(env.host, test);
    const all = [...problems, ...(actual ? compareExpectations(test.scenario.expect, actual) : [])];
    return { ...base, ok: all.length === 0, problems: all, durationMs: Date.now() - started, ...(actual && { actual }), live };
  } catch (err) {
    return { ...base, ok: false, problems: [`the scenario could not run: ${(err as Error).message}`], durationMs: Date.now() - started, live: [] };
  }
}

/** Per runbook (each tested runbook, and each child run through), what its scenarios covered. */
function coverageFor(cases: TestCase[], outcomes: ScenarioOutcome[]): RunbookCoverage[] {
  const files = new Map<string, string>();
  for (const c of cases) {
    files.set(c.runbook.name, c.runbook.file);
    for (const child of Object.values(c.runbook.children)) if (!files.has(child.name)) files.set(child.name, child.file);
  }
  const trails = new Map<string, TrailEntry[][]>();
  for (const o of outcomes) for (const t of o.actual?.trails ?? []) trails.set(t.runbook, [...(trails.get(t.runbook) ?? []), t.trail]);
  const tested = new Set(cases.map((c) => c.runbook.name));
  return [...files]
    .filter(([name]) => tested.has(name) || trails.has(name))
    .map(([name, file]) => coverageOf(name, file, trails.get(name) ?? []))
    .sort((a, b) => a.runbook.localeCompare(b.runbook));
}
