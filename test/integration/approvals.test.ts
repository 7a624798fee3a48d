// Approvals are policy: who may approve, how many distinct people, the requester rule, the exact
// plan, timeouts that never approve, rejections; every attempt, accepted or refused, recorded.
import type { WorkflowHandle } from '@temporalio/client';
import { startRun } from '../../temporal/start-run';
import { approveSignal, approveUpdate, rejectUpdate, statusQuery, type ApproveRequest } from '../../contract/messages';
import { historyOf } from '../helpers/history';
import { pendingApproval, statusWhen } from '../helpers/pending';
import { expectReplays } from '../helpers/replay';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const RUNBOOK = (tag: string, approve: string) => `
name: restart-with-approval
inputs:
  service: { type: string }
steps:
  - id: approve_restart
    approve: ${approve}
  - id: restart
    uses: test.probe
    with: { name: '${tag}-restart', value: 'restart \${{ inputs.service }}' }
    next: succeed
  - id: page
    uses: test.probe
    with: { name: '${tag}-page', value: '\${{ steps.approve_restart.outputs.outcome }}: \${{ steps.approve_restart.outputs.reason }}' }
outputs:
  approval: \${{ steps.approve_restart.outputs.outcome }}
  approvedBy: \${{ steps.approve_restart.outputs.approvedBy }}
`;

async function start(tag: string, approve: string, taskQueue: string, startedBy = 'zoe'): Promise<WorkflowHandle> {
  return startRun(await testClient(), taskQueue, { runbook: compile(RUNBOOK(tag, approve)), inputs: { service: 'checkout' }, startedBy });
}

const approve = (handle: WorkflowHandle, req: Partial<ApproveRequest> & Record<string, unknown>) =>
  handle.executeUpdate(approveUpdate, { args: [req as ApproveRequest] }).then(
    (r) => r.message,
    (e: Error & { cause?: Error }) => `refused: ${e.cause?.message ?? e.message}`,
  );

it('needs two distinct approvers for 2-of-3, and the same person twice counts once', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('two', '{ approvers: [group:oncall], minApprovals: 2, timeout: 1m }', s.taskQueue);
    const pending = await pendingApproval(handle);
    const replies = [
      await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'alice', comment: 'looks right' }),
      await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'alice' }),
    ];
    const stillWaiting = await handle.query(statusQuery);
    replies.push(await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'bob' }));
    const result = await handle.result();
    return { pending, replies, stillWaiting, result, status: await handle.query(statusQuery), id: handle.workflowId };
  });
  expect(outcome.pending).toMatchObject({
    plan: { step: 'restart', uses: 'test.probe', with: { name: 'two-restart', value: 'restart checkout' } },
    approvers: ['group:oncall'],
    eligible: ['alice', 'bob', 'carol'],
    minApprovals: 2,
  });
  expect(outcome.replies).toEqual([
    'approval 1 of 2 recorded for step `approve_restart`',
    'refused: alice has already approved step `approve_restart`; approvals must come from distinct people',
    'approval 2 of 2 recorded for step `approve_restart`; approved',
  ]);
  expect(outcome.stillWaiting).toMatchObject({ status: 'awaiting-approval', current: ['approve_restart'] });
  expect(outcome.result.outputs).toEqual({ approval: 'approved', approvedBy: ['alice', 'bob'] });
  expect(callsOf('two-restart')).toHaveLength(1);
  expect(outcome.status.audit.map((a) => [a.by, a.outcome])).toEqual([
    ['alice', 'accepted'],
    ['alice', 'refused'],
    ['bob', 'accepted'],
  ]);
  await expectReplays((await testClient()).workflow.getHandle(outcome.id), 'approve-two-of-three');
});

it('refuses the person who started the run when the runbook says so', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('req', '{ approvers: [alice, bob], timeout: 1m }', s.taskQueue, 'alice');
    const pending = await pendingApproval(handle);
    const refused = await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'alice' });
    const accepted = await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'bob' });
    return { refused, accepted, result: await handle.result() };
  });
  expect(outcome.refused).toBe('refused: alice started this run and may not approve it');
  expect(outcome.accepted).toBe('approval 1 of 1 recorded for step `approve_restart`; approved');
  expect(outcome.result.outputs.approvedBy).toEqual(['bob']);
});

it('lets the requester approve when allowRequester is true', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('allow', '{ approvers: [alice], allowRequester: true, timeout: 1m }', s.taskQueue, 'alice');
    const pending = await pendingApproval(handle);
    return { reply: await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'alice' }), result: await handle.result() };
  });
  expect(outcome.reply).toMatch(/approved$/);
  expect(outcome.result.outputs.approval).toBe('approved');
});

it('takes the onTimeout route when nobody approves in time, and never approves', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('late', '{ approvers: [alice, bob], minApprovals: 2, timeout: 1s, onTimeout: page }', s.taskQueue);
    const pending = await pendingApproval(handle);
    await approve(handle, { step: 'approve_restart', planHash: pending.planHash, by: 'alice' });
    return { result: await handle.result(), id: handle.workflowId };
  });
  expect(outcome.result.outputs).toEqual({ approval: 'timed-out', approvedBy: ['alice'] });
  expect(callsOf('late-restart')).toHaveLength(0);
  expect(callsOf('late-page')).toHaveLength(1);
  const timer = (await historyOf(outcome.id)).find((e) => e.timerStartedEventAttributes);
  expect(timer?.summary).toBe('approve_restart: wait for approval (1s)');
  await expectReplays((await testClient()).workflow.getHandle(outcome.id), 'approve-timeout');
});

it('fails the run on timeout when onTimeout is fail (the default)', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('fail', '{ approvers: [alice], timeout: 500ms }', s.taskQueue);
    return handle.result().then(
      () => 'succeeded',
      (e: Error & { cause?: Error }) => e.cause?.message,
    );
  });
  expect(outcome).toBe('step `approve_restart` failed: approval timed out after 500ms with 0 of 1 approvals');
  expect(callsOf('fail-restart')).toHaveLength(0);
});

it('takes the onReject route when an approver rejects, with the reason', async () => {
  const outcome = await withWorker(async (s) => {
    const handle = await start('rej', '{ approvers: [group:oncall], timeout: 1m, onReject: page }', s.taskQueue);
    await pendingApproval(handle);
    const reply = await handle.executeUpdate(rejectUpdate, { args: [{ step: 'approve_restart', by: 'carol', reason: 'a deploy is in progress' }] });
    return { reply, result: await handle.result(), id: handle.workflowId };
  });
  expect(outcome.reply.message).toBe('step `approve_restart` rejected by carol');
  expect(outcome.result.outputs).toEqual({ approval: 'rejected', approvedBy: [] });
  expect(callsOf('rej-page').length).toBe(1);
  expect(callsOf('rej-restart')).toHaveLength(0);
  await expectReplays((await testClient()).workflow.getHandle(outcome.id), 'approve-reject');
});

describe('bad input never crashes the run or unblocks it, and is on the record', () => {
  it('refuses malformed, unknown, stale and late attempts, by update and by signal', async () => {
    const outcome = await withWorker(async (s) => {
      const handle = await start('bad', '{ approvers: [alice, bob], timeout: 1m }', s.taskQueue);
      const pending = await pendingApproval(handle);
      const hash = pending.planHash;
      const replies = [
        await approve(handle, { step: 'approve_restart', by: 'alice' }),
        await approve(handle, { step: 'approve_restart', planHash: 42 as unknown as string, by: 'alice' }),
        await approve(handle, { step: 'no_such_step', planHash: hash, by: 'alice' }),
        await approve(handle, { step: 'restart', planHash: hash, by: 'alice' }),
        await approve(handle, { step: 'approve_restart', planHash: hash, by: 'mallory' }),
        await approve(handle, { step: 'approve_restart', planHash: 'f'.repeat(64), by: 'alice' }),
        await handle.executeUpdate(approveUpdate, { args: ['just a string' as unknown as ApproveRequest] }).then(
          () => 'accepted?',
          (e: Error & { cause?: Error }) => `rejected by the validator: ${e.cause?.message ?? e.message}`,
        ),
      ];
      // The same mistakes as signals (the Web UI's way) are recorded too.
      await handle.signal(approveSignal, { step: 'approve_restart', planHash: hash, by: 'mallory' });
      await handle.signal(approveSignal, { step: 'approve_restart' } as ApproveRequest);
      const { status: waiting } = await statusWhen(handle, (st) => st.audit.length >= 8, 'eight recorded attempts');
      replies.push(await approve(handle, { step: 'approve_restart', planHash: hash, by: 'bob' }));
      await handle.result();
      replies.push(
        await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve_restart', planHash: hash, by: 'alice' }] }).then(
          () => 'accepted?',
          (e: Error) => `after the end: ${e.name}`,
        ),
      );
      return { replies, waiting, status: await handle.query(statusQuery) };
    });
    expect(outcome.replies).toEqual([
      'refused: `planHash` must be a non-empty string',
      'refused: `planHash` must be a non-empty string',
      'refused: there is no step `no_such_step` in runbook restart-with-approval',
      'refused: step `restart` is not waiting for approval',
      'refused: mallory is not an approver of step `approve_restart` (approvers: alice, bob)',
      `refused: stale plan: the approval names plan ffffffffffff, but the plan waiting for approval is ${outcome.status.audit.find((a) => a.outcome === 'accepted')!.planHash!.slice(0, 12)}`,
      'rejected by the validator: approve needs a JSON object; see the handler description',
      'approval 1 of 1 recorded for step `approve_restart`; approved',
      // Once the run has closed, Temporal itself refuses (nothing can be recorded in a closed history).
      'after the end: WorkflowNotFoundError',
    ]);
    expect(outcome.waiting).toBe('awaiting-approval');
    expect(outcome.status.audit.map((a) => `${a.via} ${a.outcome} ${a.by || '-'}: ${a.reason ?? a.detail}`)).toEqual([
      'update refused alice: `planHash` must be a non-empty string',
      'update refused alice: `planHash` must be a non-empty string',
      'update refused alice: there is no step `no_such_step` in runbook restart-with-approval',
      'update refused alice: step `restart` is not waiting for approval',
      'update refused mallory: mallory is not an approver of step `approve_restart` (approvers: alice, bob)',
      expect.stringMatching(/^update refused alice: stale plan/),
      'signal refused mallory: mallory is not an approver of step `approve_restart` (approvers: alice, bob)',
      'signal refused -: `planHash` must be a non-empty string',
      'update accepted bob: approval 1 of 1 recorded for step `approve_restart`; approved',
    ]);
    expect(callsOf('bad-restart')).toHaveLength(1);
  });

  it('refuses an approval that arrives after the step ended, and records it', async () => {
    const outcome = await withWorker(async (s) => {
      const runbook = compile(`
name: two-approvals
steps:
  - id: first
    approve: { approvers: [alice], timeout: 1m }
  - id: act
    uses: test.probe
    with: { name: late-act }
  - id: second
    approve: { approvers: [alice], timeout: 1m }
  - id: act_again
    uses: test.probe
    with: { name: late-act-again }
`);
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const first = await pendingApproval(handle);
      await approve(handle, { step: 'first', planHash: first.planHash, by: 'alice' });
      const second = await pendingApproval(handle, 'second');
      const late = await approve(handle, { step: 'first', planHash: first.planHash, by: 'alice' });
      await approve(handle, { step: 'second', planHash: second.planHash, by: 'alice' });
      await handle.result();
      return { late, audit: (await handle.query(statusQuery)).audit };
    });
    expect(outcome.late).toBe('refused: step `first` is no longer waiting for approval: it has ended');
    expect(outcome.audit.filter((a) => a.outcome === 'refused').map((a) => a.step)).toEqual(['first']);
  });
});
