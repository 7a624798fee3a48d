// `runbook test`: scenarios on the real interpreter (Temporal's time-skipping test server), with
// every outside call scripted. Run through the built CLI, as an SRE or a CI job runs it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI_MAIN, runCli } from '../helpers/cli';
import { EXAMPLE_NAMES, EXAMPLE_TEST_FILES } from '../helpers/examples';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from '../helpers/fake-anthropic';
import { startHttpServer, type TestServer } from '../helpers/http-server';

jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'runbook-test-'));
const marker = path.join(dir, 'touched-by-a-real-command');
let web: TestServer;
let webHits = 0;
let model: FakeAnthropic;

/** Everything that would reach the world: a command, an HTTP call, a secret file, the model. */
function sideEffectRunbook(url: string): string {
  return `name: side-effects
secrets:
  token: { file: ${path.join(dir, 'no-such-secret')} }
steps:
  - id: touch
    uses: shell
    with: { command: [touch, ${marker}] }
  - id: call
    uses: http
    with: { url: '${url}', headers: { authorization: 'Bearer \${{ secrets.token }}' } }
  - id: pick
    decide:
      prompt: pick one
      evidence: [touch, call]
      choices:
        fix: { when: it can be fixed, next: fix_it }
        page: { when: otherwise, next: page_someone }
  - id: fix_it
    uses: shell
    with: { command: [touch, ${marker}] }
    next: succeed
  - id: page_someone
    uses: shell
    with: { command: [touch, ${marker}] }
outputs:
  picked: \${{ steps.pick.outputs.choice }}
`;
}

beforeAll(async () => {
  web = await startHttpServer((_req, res) => {
    webHits++;
    res.end('{}');
  });
  model = await startFakeAnthropic();
  model.fallback = () => toolAnswer('choose', { choice: 'page', reasoning: 'the service needs a human', confidence: 0.9 });
  mkdirSync(path.join(dir, 'ok'));
  writeFileSync(path.join(dir, 'ok', 'side-effects.yaml'), sideEffectRunbook(web.url));
  writeFileSync(
    path.join(dir, 'ok', 'side-effects.test.yaml'),
    `runbook: side-effects
scenarios:
  - name: the fix path
    steps:
      touch: { outputs: { exitCode: 0 } }
      call: { outputs: { status: 200 } }
      pick: { choice: fix, confidence: 0.9 }
      fix_it: { outputs: { exitCode: 0 } }
    expect:
      path: [touch, call, pick, fix_it]
      status: succeeded
      outputs: { picked: fix }
  - name: the page path
    steps:
      touch: { outputs: { exitCode: 0 } }
      call: { outputs: { status: 200 } }
      pick: { choice: page, confidence: 0.9 }
      page_someone: { outputs: { exitCode: 0 } }
    expect:
      path: [touch, call, pick, page_someone]
      outputs: { picked: page }
`,
  );
});

afterAll(async () => {
  await web.close();
  await model.close();
});

const MODEL_ENV = () => ({ ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: model.url });

it('runs scenarios without any real command, request, secret or model call', async () => {
  const result = await runCli(['test', path.join(dir, 'ok')], MODEL_ENV());
  expect(result.stdout).toContain('2 of 2 scenario(s) passed');
  expect(result.code).toBe(0);
  expect(existsSync(marker)).toBe(false);
  expect(webHits).toBe(0);
  expect(model.requests).toHaveLength(0);
});

it('fails a scenario whose run reaches a step it does not script, naming the step and the scenario', async () => {
  const folder = path.join(dir, 'unscripted');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'side-effects.yaml'), sideEffectRunbook(web.url));
  writeFileSync(
    path.join(folder, 'side-effects.test.yaml'),
    'runbook: side-effects\nscenarios:\n  - name: forgets the decision\n    steps:\n      touch: { outputs: { exitCode: 0 } }\n      call: { outputs: { status: 200 } }\n    expect: { status: succeeded }\n',
  );
  const result = await runCli(['test', folder], MODEL_ENV());
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('step `pick` ran but the scenario says nothing about it (');
  expect(result.stdout).toMatch(/side-effects\.test\.yaml:3:5\)/);
  expect(existsSync(marker)).toBe(false);
  expect(model.requests).toHaveLength(0);
});

it('reports every problem of an invalid test file with file:line:col, runs nothing, and exits 2', async () => {
  const folder = path.join(dir, 'invalid');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'side-effects.yaml'), sideEffectRunbook(web.url));
  const file = path.join(folder, 'side-effects.test.yaml');
  writeFileSync(
    file,
    [
      'runbook: side-effects',
      'scenarios:',
      '  - name: wrong in every way',
      '    steps:',
      '      tuch: { outputs: { exitCode: 0 } }',
      '      call: { outputs: { statuz: 200 } }',
      '      pick: { choice: reboot }',
      '    expect:',
      '      path: [touch, nowhere]',
      '      outputs: { pickd: fix }',
      '',
    ].join('\n'),
  );
  const result = await runCli(['test', folder]);
  expect(result.code).toBe(2);
  const lines = result.stdout.split('\n').filter((l) => l.includes(': error: '));
  expect(lines).toEqual([
    expect.stringMatching(/side-effects\.test\.yaml:5:7: error: runbook side-effects has no step `tuch` \(did you mean `touch`\?\) \[unknown-step\]$/),
    expect.stringMatching(
      /side-effects\.test\.yaml:6:26: error: `http` has no output `statuz` \(outputs: status, headers, body, json, truncated\) \(did you mean `status`\?\) \[unknown-output\]$/,
    ),
    expect.stringMatching(/side-effects\.test\.yaml:7:23: error: step `pick` has no choice `reboot` \(choices: fix, page\) \[unknown-choice\]$/),
    expect.stringMatching(/side-effects\.test\.yaml:9:21: error: runbook side-effects has no step `nowhere` \[unknown-step\]$/),
    expect.stringMatching(
      /side-effects\.test\.yaml:10:18: error: runbook side-effects has no output `pickd` \(outputs: picked\) \(did you mean `picked`\?\) \[unknown-output\]$/,
    ),
  ]);
  // `runbook validate` understands test files too.
  const validate = await runCli(['validate', file]);
  expect(validate.code).toBe(1);
  expect(validate.stdout).toContain('[unknown-choice]');
});

it('shows the expected and the actual path side by side, and writes JUnit and JSON', async () => {
  const folder = path.join(dir, 'mismatch');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'side-effects.yaml'), sideEffectRunbook(web.url));
  writeFileSync(
    path.join(folder, 'side-effects.test.yaml'),
    `runbook: side-effects
scenarios:
  - name: expects the wrong branch
    steps:
      touch: { outputs: { exitCode: 0 } }
      call: { fails: connection refused, nonRetryable: true }
    expect:
      path: [touch, call, pick]
      status: succeeded
`,
  );
  const junit = path.join(dir, 'junit.xml');
  const result = await runCli(['test', folder, '--junit', junit]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('status: expected succeeded, got failed (step `call` failed: http failed: connection refused');
  expect(result.stdout).toMatch(/path differs from item 2:\n\s+expected\s+actual\n\s+touch\s+touch\n\s+> call\s+call: failed\n\s+pick\s+—/);
  const xml = readFileSync(junit, 'utf8');
  expect(xml).toContain('<testsuite name="');
  expect(xml).toMatch(/<testcase classname="side-effects" name="expects the wrong branch"[^>]*>\s*<failure message="status: expected succeeded/);

  const json = await runCli(['test', folder, '--json']);
  const report = JSON.parse(json.stdout);
  expect(report.ok).toBe(false);
  expect(report.scenarios[0]).toMatchObject({
    scenario: 'expects the wrong branch',
    ok: false,
    status: 'failed',
    path: [
      { step: 'touch', status: 'succeeded' },
      { step: 'call', status: 'failed' },
    ],
  });
});

it('reports coverage of steps and routes, fails under --min-coverage, and --filter picks scenarios', async () => {
  const all = await runCli(['test', path.join(dir, 'ok'), '--json'], MODEL_ENV());
  const coverage = JSON.parse(all.stdout).coverage[0];
  expect(coverage).toMatchObject({ runbook: 'side-effects', covered: coverage.total, percent: 100 });
  expect(coverage.items).toContainEqual({ step: 'pick', what: 'choice `page`', covered: true });

  const one = await runCli(['test', path.join(dir, 'ok'), '--filter', 'fix path', '--min-coverage', '90'], MODEL_ENV());
  expect(one.stdout).toContain('1 of 1 scenario(s) passed');
  expect(one.stdout).toContain('not covered: pick choice `page`');
  expect(one.stdout).toContain('coverage below 90%: side-effects');
  expect(one.code).toBe(1);
});

it('--live-model lets the configured model decide on the scripted evidence and reports its agreement', async () => {
  const before = model.requests.length;
  const result = await runCli(['test', path.join(dir, 'ok'), '--live-model'], MODEL_ENV());
  expect(result.code).toBe(0);
  expect(model.requests.length - before).toBe(2);
  // The model answers `page` both times: it agrees with one scenario of two.
  expect(result.stdout).toMatch(/disagree side-effects › the fix path › pick: expected "fix", model "page"/);
  expect(result.stdout).toMatch(/agree {4}side-effects › the page path › pick: expected "page", model "page" \(confidence 0.9, 120 tokens/);
  expect(result.stdout).toContain('agreed 1 of 2 (50%); 240 tokens');
  expect(existsSync(marker)).toBe(false);
  expect(webHits).toBe(0);
});

it('every example runbook ships scenarios that pass and cover all its steps and routes', async () => {
  const result = await runCli(['test', ...EXAMPLE_TEST_FILES, '--min-coverage', '100', '--json']);
  const report = JSON.parse(result.stdout);
  const failed = report.scenarios.filter((s: { ok: boolean }) => !s.ok);
  expect(failed).toEqual([]);
  expect(report.coverage.filter((c: { percent: number }) => c.percent < 100)).toEqual([]);
  const tested = new Set(report.scenarios.map((s: { runbook: string }) => s.runbook));
  expect([...tested].sort()).toEqual([...EXAMPLE_NAMES]);
  expect(result.code).toBe(0);
});

function testServerPids(): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('temporal-test-server');
      } catch {
        return false; // gone meanwhile
      }
    });
}

// This file runs the only test servers of the suite, one command at a time. The signal is sent as
// soon as the server process exists (it was ignored while the server started: CI hung there), and
// again later, while scenarios run.
it.each([
  ['while its server starts', 0],
  ['while scenarios run', 2000],
])('stops its test server when interrupted %s (Ctrl-C, a CI timeout)', async (_when, afterServerMs) => {
  const child = spawn(process.execPath, [CLI_MAIN, 'test', ...EXAMPLE_TEST_FILES], { cwd: path.join(__dirname, '..', '..'), stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let waited = 0; testServerPids().length === 0; waited += 20) {
    if (waited > 60_000) throw new Error('runbook test started no test server within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, afterServerMs));
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(testServerPids()).toEqual([]);
});
