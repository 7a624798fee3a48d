// Runbook test files: what their checks refuse (with positions), what hostile files cost, that
// the worker and the receiver never load one as a runbook, and how scripts answer calls.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { checkTestFile } from '../../dsl/check-test-file';
import { compileRunbook } from '../../dsl/compile';
import type { CompiledRunbook } from '../../dsl/compiled';
import { formatDiagnostic } from '../../dsl/diagnostics';
import type { Scenario } from '../../dsl/test-file';
import { loadRunbookDirs } from '../../repository/runbook-dirs';
import { ScenarioScripts, Unscripted } from '../../scenarios/scripts';

const catalog = catalogOf(BUILTIN_ACTIONS);
const RUNBOOK = `name: pager
steps:
  - id: look
    uses: shell
    with: { command: [uptime] }
    retry: { maxAttempts: 3 }
  - id: pick
    decide:
      prompt: what now
      choices:
        restart: { when: it hangs, next: ask }
        wait: { when: otherwise, next: succeed }
  - id: ask
    approve: { approvers: [group:oncall] }
  - id: restart
    uses: kubernetes
    with: { operation: rollout-restart, name: api, namespace: prod }
    compensate: { uses: shell, with: { command: [echo, undo] } }
  - id: size
    fill:
      prompt: how many
      schema: { type: object, required: [n], properties: { n: { type: integer, maximum: 10 } } }
`;
const runbook = compileRunbook(RUNBOOK, 'pager.yaml', { catalog, resolve: () => undefined }).runbook!;
const check = (text: string) =>
  checkTestFile(text, 'pager.test.yaml', (name) => (name === 'pager' ? runbook : undefined), catalog).diagnostics.map(formatDiagnostic);

describe('checking a test file', () => {
  it('refuses scripts that do not fit the step kind, all at once, with positions', () => {
    const lines = check(`runbook: pager
scenarios:
  - name: mismatched
    steps:
      look: { choice: restart, polls: [{ exitCode: 0 }] }
      pick: { outputs: { choice: restart } }
      ask: { approve: [bob], timeout: true }
      restart: { outputs: { exitCode: "zero" }, compensate: { outputs: {} } }
      size: { values: { n: 11 } }
    expect:
      compensations: [look]
      asked: [{ step: look }]
`);
    expect(lines).toEqual([
      'pager.test.yaml:5:15: error: step `look` is an action step: `choice` does not apply (script it with `outputs`, `fails`, `nonRetryable`, `attempts`, `calls`, `polls`, `compensate`) [script-mismatch]',
      'pager.test.yaml:5:32: error: step `look` does not poll (it has no `until`) (use `calls`) [script-mismatch]',
      'pager.test.yaml:6:13: error: step `pick`: say what the model answers: `choice`, or `model: unavailable` or `invalid` [missing-key]',
      'pager.test.yaml:6:15: error: step `pick` is a decide step: `outputs` does not apply (script it with `choice`, `confidence`, `reasoning`, `model`, `human`) [script-mismatch]',
      'pager.test.yaml:7:30: error: step `ask`: give one of `approve`, `timeout` [script-mismatch]',
      'pager.test.yaml:8:39: error: `exitCode` in the outputs must be an integer, not the string "zero": `kubernetes` cannot return this [invalid-value]',
      "pager.test.yaml:9:23: error: `n` in the values must be <= 10: the step's schema refuses these values [invalid-value]",
      'pager.test.yaml:11:23: error: step `look` has no `compensate` [script-mismatch]',
      'pager.test.yaml:12:23: error: step `look` is an action step: it asks no one [script-mismatch]',
    ]);
  });

  it('says what a test file is when it is empty or not a mapping', () => {
    for (const text of ['', '# nothing yet\n', '- a list\n'])
      expect(check(text)).toEqual(['pager.test.yaml:1:1: error: a test file is a YAML mapping with `runbook` and `scenarios` [not-a-mapping]']);
  });

  it('says which alias has no anchor', () => {
    expect(check('runbook: pager\nscenarios: *all\n')).toEqual(['pager.test.yaml:2:12: error: alias `*all` has no anchor `&all` before it [yaml-syntax]']);
  });

  it('names the missing runbook', () => {
    expect(check('runbook: pagr\nscenarios:\n  - { name: x, expect: {} }\n')).toEqual([
      'pager.test.yaml:1:10: error: no runbook named `pagr` in this folder (a test file sits beside the runbook it tests) [unknown-runbook]',
    ]);
  });

  it('refuses hostile files quickly: an alias bomb, a huge file, deep nesting', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    for (const [text, code] of [
      [bomb, 'alias-limit'],
      ['x'.repeat(2 * 1024 * 1024), 'file-too-large'],
      ['a: '.concat('['.repeat(10_000)), 'too-deep'],
    ] as const) {
      const started = Date.now();
      const lines = check(text);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(lines.some((l) => l.endsWith(`[${code}]`) || l.includes('yaml-syntax'))).toBe(true);
    }
  });
});

it('the worker and the receiver load runbooks only, never test files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-file-'));
  writeFileSync(path.join(dir, 'pager.yaml'), RUNBOOK);
  writeFileSync(path.join(dir, 'pager.test.yaml'), 'runbook: pager\nscenarios: []\n');
  const loaded = loadRunbookDirs([dir], catalog);
  expect(loaded.problems).toEqual([]);
  expect(loaded.runbooks.map((r: CompiledRunbook) => r.name)).toEqual(['pager']);
});

describe('scripts', () => {
  const request = (stepId: string) => ({ runbook: 'pager', stepId, with: {}, secrets: {} });
  const scenario = (steps: Scenario['steps']): Scenario => ({ name: 's', steps, expect: {} });

  it('answers each attempt, then each call, and refuses one more than scripted', () => {
    const scripts = new ScenarioScripts(
      scenario({ look: { calls: [{ attempts: [{ fails: 'timeout' }, { outputs: { stdout: 'up' } }] }, { outputs: { stdout: 'again' } }] } }),
      'wf',
      'pager.test.yaml:3:5',
    );
    expect(scripts.action('wf', request('look'), 1, 'a1')).toEqual({ fails: 'timeout', nonRetryable: false });
    expect(scripts.action('wf', request('look'), 2, 'a1')).toEqual({ outputs: { stdout: 'up' } });
    expect(scripts.action('wf', request('look'), 1, 'a2')).toEqual({ outputs: { stdout: 'again' } });
    expect(() => scripts.action('wf', request('look'), 1, 'a3')).toThrow(Unscripted);
    expect(scripts.problems).toEqual(['step `look` ran 3 times; the scenario scripts 2 calls (pager.test.yaml:3:5)']);
  });

  it('finds a child run through by its id, and scripts its steps', () => {
    const scripts = new ScenarioScripts(scenario({ page: { run: { steps: { tell: { outputs: { status: 200 } } } } } }), 'wf', 'here');
    expect(scripts.childOutcome('wf/page')).toEqual({ kind: 'run' });
    expect(scripts.action('wf/page', request('tell'), 1, 'x')).toEqual({ outputs: { status: 200 } });
    expect(scripts.childrenRunThrough()).toEqual(['wf/page']);
    expect(() => scripts.action('wf/page', request('other'), 1, 'y')).toThrow('step `other` ran but the scenario says nothing about it (here)');
  });
});

it('refuses an investigation script that names a tool the step lacks, or a turn that is neither calls nor a finding', () => {
  const investigating = compileRunbook(
    `name: looker
steps:
  - id: look
    investigate:
      question: Why?
      tools: [{ name: logs, uses: kubernetes, with: { operation: logs }, params: { name: { type: string } } }]
`,
    'looker.yaml',
    { catalog, resolve: () => undefined },
  ).runbook!;
  const lines = checkTestFile(
    `runbook: looker
scenarios:
  - name: bad turns
    steps:
      look:
        turns:
          - calls: [{ tool: lgos }, { tool: undeclared_rollback }]
          - { calls: [{ tool: logs }], finding: { summary: both } }
          - {}
    expect: { status: succeeded }
  - name: nothing said
    steps: { look: {} }
    expect: { status: succeeded }
`,
    'looker.test.yaml',
    () => investigating,
    catalog,
  ).diagnostics.map(formatDiagnostic);
  // `undeclared_rollback` is allowed: a name starting with `undeclared` scripts a call the step refuses.
  expect(lines).toEqual([
    'looker.test.yaml:7:29: error: step `look` has no tool `lgos` (tools: logs) (did you mean `logs`?) [unknown-step]',
    'looker.test.yaml:8:13: error: turn 2 of step `look`: give `calls` or `finding` [script-mismatch]',
    'looker.test.yaml:9:13: error: turn 3 of step `look`: give `calls` or `finding` [script-mismatch]',
    'looker.test.yaml:12:20: error: step `look`: say what the model does: `turns`, or `model: unavailable` [missing-key]',
  ]);
});
