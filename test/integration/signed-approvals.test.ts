// Approvals that cannot be forged: on a signed step, an answer counts only when an SSH key the
// people file lists for the person it names signed this run, this step's current wait, this
// plan and this answer, before its expiry. Real keys (ssh-keygen), a real ssh-agent, the real
// CLI and a real Temporal server; every refusal is recorded and changes nothing.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { approveSignal, approveUpdate, decideUpdate, rejectUpdate, statusQuery, type ApproveRequest, type DecideRequest } from '../../contract/messages';
import type { PendingApproval, StatusView } from '../../contract/run';
import { answerStatement, statementText, type SignedAnswer } from '../../contract/signing';
import { startRun } from '../../temporal/start-run';
import type { TemporalSettings } from '../../temporal/connection';
import { runCli } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { pendingApproval, pendingDecision, statusWhen } from '../helpers/pending';
import { expectReplays } from '../helpers/replay';
import { keyDir, makeKey, sshSign, writePeopleFile, type TestKey } from '../helpers/ssh-keys';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const dir = keyDir();
const PEOPLE = path.join(dir, 'people.yaml');
const keys = {
  alice: makeKey(dir, 'alice'),
  bob: makeKey(dir, 'bob'),
  carol1: makeKey(dir, 'carol-laptop'),
  carol2: makeKey(dir, 'carol-desktop'),
  stranger: makeKey(dir, 'stranger'),
};
/** Bob's key: after the ssh-agent test moves his private key out of the way, signing in-process uses it where it went. */
const bobKey = (): TestKey => (existsSync(keys.bob.file) ? keys.bob : { ...keys.bob, file: `${keys.bob.file}.moved` });
const GROUPS = { oncall: ['alice', 'bob', 'carol'] };
const writePeople = (over: Record<string, { keys?: TestKey[]; revoked?: TestKey[] }> = {}) =>
  writePeopleFile(PEOPLE, { alice: { keys: [keys.alice] }, bob: { keys: [keys.bob] }, carol: { keys: [keys.carol1, keys.carol2] }, ...over }, GROUPS);

const env = (s: TemporalSettings, extra: NodeJS.ProcessEnv = {}) => ({ TEMPORAL_ADDRESS: s.connection.address, RUNBOOK_PEOPLE_FILE: PEOPLE, ...extra });

const RUNBOOK = (tag: string, approve: string) => `
name: signed-restart
steps:
  - id: approve_restart
    approve: ${approve}
  - id: restart
    uses: test.probe
    with: { name: '${tag}-restart', value: 'restart checkout' }
`;

/** The statement a signer signs for the wait `step` of `handle` has now, and its signature. */
async function signedFor(
  handle: WorkflowHandle,
  step: string,
  answer: Omit<SignedAnswer, 'expires'> & { expires?: string },
  key: TestKey,
  over: Record<string, string> = {},
) {
  const status: StatusView = await handle.query(statusQuery);
  const pending = status.pending.find((p) => p.step === step)!;
  const wait = {
    workflowId: handle.workflowId,
    firstRunId: status.firstRunId,
    step,
    requestedAt: pending.requestedAt,
    plan: pending.kind === 'approval' ? pending.planHash : pending.questionHash,
    ...over,
  };
  const expires = answer.expires ?? new Date(Date.now() + 10 * 60_000).toISOString();
  return { expires, signature: sshSign(statementText(answerStatement(wait, { ...answer, expires })), key.file) };
}

const send = <T>(handle: WorkflowHandle, update: typeof approveUpdate | typeof rejectUpdate | typeof decideUpdate, req: T) =>
  handle.executeUpdate(update as typeof approveUpdate, { args: [req as unknown as ApproveRequest] }).then(
    (r) => r.message,
    (e: Error & { cause?: Error }) => `refused: ${e.cause?.message ?? e.message}`,
  );

function startAgent(): { sock: string; agent: ChildProcess } {
  const sock = path.join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  return { sock, agent };
}

it('refuses forged, misbound, expired, revoked and replayed signatures, and approves on two people’s keys (file key and ssh-agent)', async () => {
  writePeople();
  const { sock, agent } = startAgent();
  try {
    // The agent's socket appears a moment after it starts: ssh-add fails until then.
    await eventually(async () => {
      try {
        execFileSync('ssh-add', [keys.bob.file], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    }, 'ssh-agent to take bob’s key');
    // From here bob's private key exists only in the agent.
    renameSync(keys.bob.file, `${keys.bob.file}.moved`);
    const out = await withWorker(
      async (s) => {
        const client = await testClient();
        const approve = '{ approvers: [group:oncall], minApprovals: 2, signed: true, timeout: 5m }';
        const first = await startRun(client, s.taskQueue, { runbook: compile(RUNBOOK('first', approve)), inputs: {}, startedBy: 'zoe' });
        const later = await startRun(client, s.taskQueue, { runbook: compile(RUNBOOK('later', approve)), inputs: {}, startedBy: 'zoe' });
        const pending: PendingApproval = await pendingApproval(first);
        const laterPending = await pendingApproval(later);
        const planHash = pending.planHash;
        const base = { step: 'approve_restart', planHash };
        const ok = (by: string, key: TestKey, over?: Record<string, string>, answer: Partial<SignedAnswer> = {}) =>
          signedFor(first, 'approve_restart', { action: 'approve', by, ...answer }, key, over);
        const attempts: Array<[string, string]> = [];
        const attempt = async (what: string, req: Record<string, unknown>) => attempts.push([what, await send(first, approveUpdate, req)]);

        await attempt('unsigned', { ...base, by: 'alice' });
        await attempt("another person's key", { ...base, by: 'alice', ...(await ok('alice', bobKey())) });
        await attempt('an unlisted key', { ...base, by: 'alice', ...(await ok('alice', keys.stranger)) });
        await attempt('another run', {
          ...base,
          by: 'alice',
          ...(await ok('alice', keys.alice, { workflowId: later.workflowId, firstRunId: (await later.query(statusQuery)).firstRunId })),
        });
        await attempt('another step', { ...base, by: 'alice', ...(await ok('alice', keys.alice, { step: 'approve_rollback' })) });
        await attempt('another plan', { ...base, by: 'alice', ...(await ok('alice', keys.alice, { plan: 'f'.repeat(64) })) });
        await attempt('another answer', { ...base, by: 'alice', ...(await ok('alice', keys.alice, {}, { action: 'reject' })) });
        await attempt('expired', { ...base, by: 'alice', ...(await ok('alice', keys.alice, {}, { expires: new Date(Date.now() - 1000).toISOString() })) });
        // Signed while the key was good, sent after it was revoked.
        const signedBeforeRevocation = await ok('alice', keys.alice);
        writePeople({ alice: { revoked: [keys.alice] } });
        await attempt('revoked after signing', { ...base, by: 'alice', ...signedBeforeRevocation });
        writePeople();
        // Carol's first key counts once; her second key is still carol.
        const carol = { ...base, by: 'carol', ...(await ok('carol', keys.carol1)) };
        await attempt('carol, first key', carol);
        await attempt('carol, second key', { ...base, by: 'carol', ...(await ok('carol', keys.carol2)) });
        // The same accepted payload, replayed on a later run of the same runbook.
        const replayed = await send(later, approveUpdate, { ...carol, planHash: laterPending.planHash });
        // A signal (the Web UI's way) without a signature: refused and visible in the status.
        await first.signal(approveSignal, { ...base, by: 'bob' });
        const refusedSignal = await statusWhen(first, (st) => st.audit.some((a) => a.via === 'signal'), 'the unsigned signal to be recorded');
        const stillWaiting = (await first.query(statusQuery)).status;

        // The real CLI signs with alice's key file: the second approval.
        const viaCli = await runCli(
          ['approve', first.workflowId, '--step', 'approve_restart', '--as', 'alice', '--sign', '--key', keys.alice.file, '--comment', 'deploy 42'],
          env(s),
        );
        // On the later run: bob through ssh-agent (only his public key on disk), alice through `runbook sign` pasted as a signal.
        const viaAgent = await runCli(
          ['approve', later.workflowId, '--step', 'approve_restart', '--as', 'bob', '--sign', '--key', `${keys.bob.file}.pub`],
          env(s, { SSH_AUTH_SOCK: sock }),
        );
        const payload = await runCli(['sign', later.workflowId, '--step', 'approve_restart', '--approve', '--as', 'alice', '--key', keys.alice.file], env(s));
        await later.signal(approveSignal, JSON.parse(payload.stdout) as ApproveRequest);
        const results = { first: await first.result(), later: await later.result() };
        const exported = path.join(dir, 'first.json');
        await runCli(['history', first.workflowId, '-o', exported], env(s));
        return {
          exported,
          attempts,
          replayed,
          refusedSignal,
          stillWaiting,
          viaCli,
          viaAgent,
          payload,
          results,
          first,
          later,
          status: await first.query(statusQuery),
        };
      },
      { people: { file: PEOPLE } },
    );
    const signedOnly =
      'refused: step `approve_restart` takes signed answers only: answer with `runbook approve --sign`, or send the payload `runbook sign` prints';
    const notCovered =
      'refused: signature refused: the signature does not cover this answer: it was made for another run, step, wait, plan, answer, signer or expiry, or altered';
    expect(Object.fromEntries(out.attempts)).toEqual({
      unsigned: signedOnly,
      "another person's key": `refused: signature refused: signed with bob's key ${keys.bob.fingerprint}, not a key of alice`,
      'an unlisted key': `refused: signature refused: key ${keys.stranger.fingerprint} is not listed for alice in the people file`,
      'another run': notCovered,
      'another step': notCovered,
      'another plan': notCovered,
      'another answer': notCovered,
      expired: expect.stringMatching(/^refused: the signature expired at /),
      'revoked after signing': `refused: signature refused: key ${keys.alice.fingerprint} is revoked (listed under people.alice.revoked)`,
      'carol, first key': 'approval 1 of 2 recorded for step `approve_restart`',
      'carol, second key': 'refused: carol has already approved step `approve_restart`; approvals must come from distinct people',
    });
    expect(out.replayed).toBe(notCovered);
    expect(out.refusedSignal.audit.find((a) => a.via === 'signal')).toMatchObject({
      by: 'bob',
      outcome: 'refused',
      reason: signedOnly.replace('refused: ', ''),
    });
    expect(out.stillWaiting).toBe('awaiting-approval');
    expect(out.viaCli).toMatchObject({ code: 0, stdout: expect.stringContaining('approval 2 of 2 recorded for step `approve_restart`; approved') });
    expect(out.viaAgent).toMatchObject({ code: 0, stdout: expect.stringContaining('approval 1 of 2 recorded') });
    expect(out.payload.stderr).toContain('send it as the signal `approve`');
    expect(out.results.first.status).toBe('succeeded');
    expect(out.results.later.status).toBe('succeeded');
    expect(callsOf('first-restart')).toHaveLength(1);
    expect(callsOf('later-restart')).toHaveLength(1);
    // Accepted votes name their keys; refusals name the key they were signed with, when it could be read.
    const audit = out.status.audit;
    expect(audit.filter((a) => a.outcome === 'accepted').map((a) => [a.by, a.signed?.fingerprint])).toEqual([
      ['carol', keys.carol1.fingerprint],
      ['alice', keys.alice.fingerprint],
    ]);
    expect(audit.find((a) => a.reason?.includes('not listed'))?.signed).toEqual({
      verified: false,
      fingerprint: keys.stranger.fingerprint,
      keyType: 'ssh-ed25519',
    });
    // The status keeps verdicts; the statements and signatures are in history only.
    expect(JSON.stringify(out.status)).not.toContain('BEGIN SSH SIGNATURE');

    // Offline audit, from the exported history alone.
    const exported = out.exported;
    const verified = await runCli(['verify', '--file', exported, '--workflow-id', out.first.workflowId, '--people', PEOPLE]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`approve approve_restart by carol (accepted): verified, ssh-ed25519 key ${keys.carol1.fingerprint}`);
    expect(verified.stdout).toContain(`approve approve_restart by alice (accepted): verified, ssh-ed25519 key ${keys.alice.fingerprint}`);
    writePeople({ carol: { keys: [keys.carol2] } });
    const withoutKey = await runCli(['verify', '--file', exported, '--workflow-id', out.first.workflowId, '--people', PEOPLE]);
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stdout).toContain(
      `approve approve_restart by carol (accepted): UNVERIFIABLE: key ${keys.carol1.fingerprint} is not listed for carol in the people file`,
    );
    const report = await runCli(['report', '--file', exported, '--workflow-id', out.first.workflowId, '--people', PEOPLE]);
    expect(report.stdout).toContain('## Signatures');
    expect(report.stdout).toContain('UNVERIFIABLE');
    const noId = await runCli(['verify', '--file', exported]);
    expect(noId).toMatchObject({ code: 2, stdout: expect.stringContaining('pass --workflow-id') });
    await expectReplays(out.first, 'signed-approval');
  } finally {
    agent.kill();
    writePeople();
  }
});

const DECIDE = `
name: signed-decision
steps:
  - id: pick
    decide:
      prompt: Restart or roll back?
      choices: { restart: { when: errors started without a deploy }, rollback: { when: a deploy preceded the errors } }
      human: { deciders: [group:oncall], signed: true, timeout: 5m }
  - id: size
    fill:
      prompt: How many replicas?
      schema: { type: object, properties: { replicas: { type: integer, maximum: 20 } }, required: [replicas] }
      human: { signed: true, timeout: 5m }
`;

it('binds signed decisions to the choice and signed fills to the values', async () => {
  writePeople();
  const out = await withWorker(
    async (s) => {
      const handle = await startRun(await testClient(), s.taskQueue, { runbook: compile(DECIDE), inputs: {}, startedBy: 'zoe' });
      const pick = await pendingDecision(handle, 'pick');
      const rollbackSigned = await signedFor(handle, 'pick', { action: 'decide', by: 'bob', choice: 'rollback' }, bobKey());
      const swapped = await send<DecideRequest>(handle, decideUpdate, { step: 'pick', by: 'bob', choice: 'restart', ...rollbackSigned });
      const picked = await send<DecideRequest>(handle, decideUpdate, { step: 'pick', by: 'bob', choice: 'rollback', ...rollbackSigned });
      const size = await pendingDecision(handle, 'size');
      const sixSigned = await signedFor(handle, 'size', { action: 'decide', by: 'alice', values: { replicas: 6 } }, keys.alice);
      const changed = await send<DecideRequest>(handle, decideUpdate, { step: 'size', by: 'alice', values: { replicas: 20 }, ...sixSigned });
      const viaCli = await runCli(
        ['decide', handle.workflowId, '--step', 'size', '--as', 'alice', '--values', '{"replicas": 6}', '--sign', '--key', keys.alice.file],
        env(s),
      );
      return { pick, size, swapped, picked, changed, viaCli, result: await handle.result(), status: await handle.query(statusQuery) };
    },
    { people: { file: PEOPLE } },
  );
  expect(out.pick).toMatchObject({ signed: true, eligible: ['alice', 'bob', 'carol'] });
  expect(out.size).toMatchObject({ signed: true, eligible: [] });
  expect(out.swapped).toMatch(/does not cover this answer/);
  expect(out.picked).toBe('step `pick` decided by bob: rollback');
  expect(out.changed).toMatch(/does not cover this answer/);
  expect(out.viaCli).toMatchObject({ code: 0, stdout: 'step `size` filled by alice\n' });
  expect(out.status.decisions.map((d) => [d.step, d.by, d.fingerprint])).toEqual([
    ['pick', 'bob', keys.bob.fingerprint],
    ['size', 'alice', keys.alice.fingerprint],
  ]);
});

it('requires signatures on every step when the worker says so, decisions with no deciders included', async () => {
  writePeople();
  const out = await withWorker(
    async (s) => {
      const runbook = compile(`
name: production-approval
steps:
  - id: pick
    decide:
      prompt: Go?
      choices: { go: { when: always }, hold: { when: never, next: succeed } }
      human: { timeout: 5m }
  - id: approve_restart
    approve: { approvers: [alice, bob], timeout: 5m }
  - id: restart
    uses: test.probe
    with: { name: prod-restart, value: 'restart' }
`);
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const pick = await pendingDecision(handle, 'pick');
      const unsignedDecision = await send<DecideRequest>(handle, decideUpdate, { step: 'pick', by: 'alice', choice: 'go' });
      const decided = await runCli(
        ['decide', handle.workflowId, '--step', 'pick', '--as', 'alice', '--choice', 'go', '--sign', '--key', keys.alice.file],
        env(s),
      );
      const approval = await pendingApproval(handle);
      const unsigned = await send<ApproveRequest>(handle, approveUpdate, { step: 'approve_restart', planHash: approval.planHash, by: 'alice' });
      const rejected = await runCli(
        ['reject', handle.workflowId, '--step', 'approve_restart', '--as', 'alice', '--reason', 'change freeze', '--sign', '--key', keys.alice.file],
        env(s),
      );
      return {
        pick,
        approval,
        unsignedDecision,
        decided,
        unsigned,
        rejected,
        result: await handle.result().catch((e: Error & { cause?: Error }) => e.cause?.message ?? e.message),
      };
    },
    { people: { file: PEOPLE, requireSignatures: true } },
  );
  expect(out.pick.signed).toBe(true);
  expect(out.approval.signed).toBe(true);
  expect(out.unsignedDecision).toMatch(/takes signed answers only/);
  expect(out.decided).toMatchObject({ code: 0, stdout: 'step `pick` decided by alice: go\n' });
  expect(out.unsigned).toMatch(/takes signed answers only/);
  expect(out.rejected).toMatchObject({ code: 0, stdout: 'step `approve_restart` rejected by alice\n' });
  expect(out.result).toBe('step `approve_restart` failed: rejected by alice: change freeze');
  expect(callsOf('prod-restart')).toHaveLength(0);
});

it('refuses hostile signature fields: huge ones before they enter history, malformed ones without checking them', async () => {
  writePeople();
  await withWorker(
    async (s) => {
      const runbook = compile(RUNBOOK('hostile', '{ approvers: [alice], signed: true, timeout: 5m }'));
      const handle = await startRun(await testClient(), s.taskQueue, { runbook, inputs: {}, startedBy: 'zoe' });
      const { planHash } = await pendingApproval(handle);
      const base = { step: 'approve_restart', planHash, by: 'alice' };
      const good = await signedFor(handle, 'approve_restart', { action: 'approve', by: 'alice' }, keys.alice);
      const replies = {
        huge: await send(handle, approveUpdate, { ...base, expires: good.expires, signature: 'A'.repeat(1_000_000) }),
        noExpiry: await send(handle, approveUpdate, { ...base, signature: good.signature }),
        badExpiry: await send(handle, approveUpdate, { ...base, signature: good.signature, expires: 'tomorrow' }),
        notText: await send(handle, approveUpdate, { ...base, signature: { forged: true }, expires: good.expires }),
        controls: await send(handle, approveUpdate, { ...base, signature: `${good.signature}\u0007`, expires: good.expires }),
        garbage: await send(handle, approveUpdate, {
          ...base,
          signature: '-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----',
          expires: good.expires,
        }),
      };
      // A huge signature by signal is refused and recorded cut to size; the run stays readable.
      await handle.signal(approveSignal, { ...base, expires: good.expires, signature: 'A'.repeat(1_200_000) });
      const status = await statusWhen(handle, (st) => st.audit.some((a) => a.via === 'signal'), 'the huge signal to be recorded');
      const history = await handle.fetchHistory();
      await send(handle, approveUpdate, { ...base, ...good });
      await handle.result();
      expect(replies).toEqual({
        huge: 'refused: approve refused: `signature` is longer than 4096 characters',
        noExpiry: 'refused: a signed answer needs both `expires` and `signature`',
        badExpiry: 'refused: `expires` must be an ISO time such as 2026-11-30T12:00:00Z',
        notText: 'refused: `signature` must be a non-empty string',
        controls: 'refused: `signature` contains control characters',
        garbage: 'refused: signature refused: the signature cannot be read: not base64',
      });
      expect(status.audit.find((a) => a.via === 'signal')).toMatchObject({ outcome: 'refused', reason: '`signature` is longer than 4096 characters' });
      expect(JSON.stringify(status).length).toBeLessThan(20_000);
      // Only the five updates that passed the size check entered history (and the final, good one).
      expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(5);
    },
    { people: { file: PEOPLE } },
  );
  expect(callsOf('hostile-restart')).toHaveLength(1);
});
