// A team adds its own action by writing one module and naming it in RUNBOOK_ACTIONS; the CLI
// validates runbooks that use it and the worker runs it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRun } from '../../temporal/start-run';
import { runCli } from '../helpers/cli';
import { closeTestClient, settings, testClient, compile } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';
import { loadActions } from '../../activities/registry';

const dir = mkdtempSync(path.join(tmpdir(), 'custom-action-'));
const moduleFile = path.join(dir, 'acme-greet.js');
// Plain JavaScript, as a team would ship it: schemas are JSON Schema objects.
writeFileSync(
  moduleFile,
  `module.exports = {
  name: 'acme.greet',
  description: 'Greets someone, politely.',
  input: { type: 'object', required: ['who'], additionalProperties: false, properties: { who: { type: 'string', pattern: '^[a-z]+$' } } },
  output: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string' } } },
  idempotent: true,
  effect: 'read',
  async run(input, ctx) {
    ctx.heartbeat({ greeting: input.who });
    return { greeting: 'hello ' + input.who + ' from ' + ctx.stepId };
  },
};
`,
);
const runbookFile = path.join(dir, 'greet.yaml');
const RUNBOOK = 'name: greet-custom\nsteps:\n  - id: hi\n    uses: acme.greet\n    with: { who: ops }\noutputs:\n  said: ${{ steps.hi.outputs.greeting }}\n';
writeFileSync(runbookFile, RUNBOOK);

afterAll(closeTestClient);

it('validates a runbook that uses the action only when the module is registered', async () => {
  const without = await runCli(['validate', runbookFile]);
  expect(without.code).toBe(1);
  expect(without.stdout).toContain('unknown action `acme.greet`');
  const withModule = await runCli(['validate', runbookFile], { RUNBOOK_ACTIONS: moduleFile });
  expect(withModule.code).toBe(0);
});

it('runs the action on a worker that loaded the module', async () => {
  const s = settings();
  const worker = await startWorkerProcess(s, { RUNBOOK_ACTIONS: moduleFile, RUNBOOK_DIR: dir });
  try {
    const runbook = compile(RUNBOOK, {}, loadActions([moduleFile]));
    const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'test' });
    expect((await handle.result()).outputs).toEqual({ said: 'hello ops from hi' });
  } finally {
    worker.kill('SIGTERM');
    await exited(worker);
  }
});

it('refuses a module that does not export an action', () => {
  const bad = path.join(dir, 'bad.js');
  writeFileSync(bad, 'module.exports = { hello: 1 };\n');
  expect(() => loadActions([bad])).toThrow(`${bad}: does not export an action (use defineAction from activities/action)`);
});

it('refuses an action that does not say whether it reads or writes', () => {
  const silent = path.join(dir, 'silent.js');
  writeFileSync(
    silent,
    "module.exports = { name: 'acme.silent', description: 'x', input: { type: 'object' }, output: { type: 'object' }, idempotent: true, run: async () => ({}) };\n",
  );
  expect(() => loadActions([silent])).toThrow(
    `${silent}: action \`acme.silent\` must declare its effect: 'read' or 'write' (fleet guards and the kill switch act on writes)`,
  );
});
