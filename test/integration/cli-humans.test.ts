// The operator's CLI: runbook pending, approve, reject, decide.
import type { TemporalSettings } from '../../temporal/connection';
import { startRun } from '../../temporal/start-run';
import { runCli } from '../helpers/cli';
import { pendingApproval, pendingDecision } from '../helpers/pending';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const env = (s: TemporalSettings) => ({ TEMPORAL_ADDRESS: s.connection.address, RUNBOOK_UI_URL: 'http://ui.test' });

const RUNBOOK = `
name: cli-approval
steps:
  - id: pick
    decide:
      prompt: Restart or not?
      choices: { restart: { when: always }, skip: { when: never, next: succeed } }
  - id: approve_restart
    approve: { approvers: [group:oncall], timeout: 5m, onReject: fail }
  - id: restart
    uses: test.probe
    with: { name: cli-restart, value: 'restart api' }
`;

it('lists what waits for a human, and decides, approves and refuses from the command line', async () => {
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(RUNBOOK), inputs: {}, startedBy: 'zoe' });
    const id = handle.workflowId;
    await pendingDecision(handle, 'pick');

    // Visibility is eventually consistent: retry `pending` until the run shows up.
    let listed = '';
    for (let i = 0; i < 50 && !listed.includes(id); i++) listed = (await runCli(['pending'], env(s))).stdout;
    expect(listed).toContain(`${id}  cli-approval (`);
    expect(listed).toContain('decide step pick: no model configured on the worker (ANTHROPIC_API_KEY is not set); anyone may decide');
    expect(listed).toContain('    - restart: always');
    // How to answer, filled in: the commands and the Web UI's signal payload.
    expect(listed).toContain(`    $ runbook decide ${id} --step pick --choice restart`);
    expect(listed).toContain('    Web UI: signal `decide` {"step":"pick","by":"<your name>","choice":"restart","comment":"<why>"}');

    const badChoice = await runCli(['decide', id, '--step', 'pick', '--choice', 'reboot-everything', '--as', 'alice'], env(s));
    expect(badChoice).toMatchObject({ code: 1, stdout: 'refused: `choice` must be one of restart, skip\n' });
    const decided = await runCli(['decide', id, '--step', 'pick', '--choice', 'restart', '--as', 'alice'], env(s));
    expect(decided).toMatchObject({ code: 0, stdout: 'step `pick` decided by alice: restart\n' });

    await pendingApproval(handle, 'approve_restart');
    const json = JSON.parse((await runCli(['pending', '--json'], env(s))).stdout) as Array<{
      workflowId: string;
      status: { pending: Array<{ planHash: string; plan: unknown }> };
    }>;
    const mine = json.find((r) => r.workflowId === id)!;
    expect(mine.status.pending[0]!.plan).toEqual({ step: 'restart', uses: 'test.probe', with: { name: 'cli-restart', value: 'restart api' } });

    const stranger = await runCli(['approve', id, '--step', 'approve_restart', '--as', 'mallory'], env(s));
    expect(stranger).toMatchObject({
      code: 1,
      stdout:
        'refused: mallory is not an approver of step `approve_restart` (approvers: group:oncall = alice, bob, carol)\n' +
        'you answered as mallory (--as, else RUNBOOK_USER, else your login name): answer with --as <your name>, or export RUNBOOK_USER=<your name>\n',
    });
    const stale = await runCli(['approve', id, '--step', 'approve_restart', '--as', 'bob', '--plan-hash', '0'.repeat(64)], env(s));
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/^refused: stale plan/);
    const approved = await runCli(['approve', id, '--step', 'approve_restart', '--as', 'bob', '--comment', 'go'], env(s));
    expect(approved).toMatchObject({
      code: 0,
      stdout: `approval 1 of 1 recorded for step \`approve_restart\`; approved (plan ${mine.status.pending[0]!.planHash})\n`,
    });
    expect((await handle.result()).status).toBe('succeeded');
  });
});

it('rejects with a reason', async () => {
  await withWorker(async (s) => {
    const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(RUNBOOK), inputs: {}, startedBy: 'zoe' });
    await pendingDecision(handle, 'pick');
    await runCli(['decide', handle.workflowId, '--step', 'pick', '--choice', 'restart'], env(s));
    await pendingApproval(handle, 'approve_restart');
    const rejected = await runCli(['reject', handle.workflowId, '--step', 'approve_restart', '--as', 'carol', '--reason', 'change freeze'], env(s));
    expect(rejected).toMatchObject({ code: 0, stdout: 'step `approve_restart` rejected by carol\n' });
    const failure = await handle.result().then(
      () => '',
      (e: Error & { cause?: Error }) => e.cause?.message,
    );
    expect(failure).toBe('step `approve_restart` failed: rejected by carol: change freeze');
  });
});
