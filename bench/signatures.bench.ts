// Issue #15: what signed answers cost. (1) Verifying one signature as the worker does (the
// people file read, SSHSIG checked in pure JavaScript); (2) signing with `ssh-keygen -Y sign`,
// which the operator's CLI pays once; (3) an approval's end-to-end latency (update sent →
// reply) on a dev server, signed against unsigned as the baseline, interleaved.
//   npm run bench -- signatures
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { auditActivities } from '../activities/humans/audit';
import { peopleActivities } from '../activities/humans/people';
import { loadPeopleFile } from '../activities/humans/people-file';
import { checkAnswerSignature } from '../activities/humans/signatures';
import { actionActivities } from '../activities/run-action';
import { approveUpdate, statusQuery } from '../contract/messages';
import type { PendingApproval, StatusView } from '../contract/run';
import { answerStatement, statementText } from '../contract/signing';
import type { CompiledRunbook } from '../dsl/compiled';
import { startRun } from '../temporal/start-run';
import { keyDir, makeKey, sshSign, writePeopleFile } from '../test/helpers/ssh-keys';
import { fmt, median, percentile } from './stats';
import { noop } from './support/noop-action';
import { admitting, benchBundle, compileBench, startBenchServer } from './support/server';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const TASK_QUEUE = 'bench-signatures';

function compile(signed: boolean): CompiledRunbook {
  return compileBench(`
name: ${signed ? 'signed' : 'unsigned'}-approval
steps:
  - id: approve_restart
    approve: { approvers: [alice], timeout: 5m${signed ? ', signed: true' : ''} }
  - id: restart
    uses: bench.noop
    readOnly: a no-op
    with: { n: 1 }
`);
}

async function main(): Promise<void> {
  const dir = keyDir();
  const alice = makeKey(dir, 'alice');
  const people = path.join(dir, 'people.yaml');
  // A people file the size of a large on-call rotation: 200 people with two keys each.
  const others = Object.fromEntries(Array.from({ length: 199 }, (_, i) => [`person${i}`, { keys: [makeKey(dir, `p${i}a`), makeKey(dir, `p${i}b`)] }]));
  writePeopleFile(people, { alice: { keys: [alice] }, ...others });

  // 1. One verification, in process.
  const wait = { workflowId: 'bench', firstRunId: 'run', step: 'approve_restart', requestedAt: new Date().toISOString(), plan: 'a'.repeat(64) };
  const statement = statementText(answerStatement(wait, { action: 'approve', by: 'alice', expires: new Date(Date.now() + 3_600_000).toISOString() }));
  const signature = sshSign(statement, alice.file);
  const { checkSignature } = peopleActivities({ file: people });
  const parsed = await loadPeopleFile(people);
  const samples: Record<'verify' | 'activity', number[]> = { verify: [], activity: [] };
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    if (!checkAnswerSignature({ statement, signature, by: 'alice' }, parsed).ok) throw new Error('did not verify');
    samples.verify.push(performance.now() - t);
    t = performance.now();
    if (!(await checkSignature({ statement, signature, by: 'alice' })).ok) throw new Error('did not verify');
    samples.activity.push(performance.now() - t);
  }
  console.log(`signatures: one ed25519 signature, ${ROUNDS} rounds, people file of 200 people / 399 keys`);
  console.log(
    `  verify (file already parsed)          median ${fmt(median(samples.verify) * 1000, 1)} µs, p99 ${fmt(percentile(samples.verify, 99) * 1000, 1)} µs`,
  );
  console.log(`  checkSignature activity (reads file)  median ${fmt(median(samples.activity), 2)} ms, p99 ${fmt(percentile(samples.activity, 99), 2)} ms`);

  // 2. Signing, as the CLI does it.
  const signing: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    sshSign(`${statement}${i}`, alice.file);
    signing.push(performance.now() - t);
  }
  console.log(`  ssh-keygen -Y sign (operator side)    median ${fmt(median(signing), 1)} ms`);

  // 3. End to end, on a dev server.
  const env = await startBenchServer();
  const signed = compile(true);
  const unsigned = compile(false);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: {
      ...actionActivities([noop]),
      ...admitting(signed, unsigned),
      ...peopleActivities({ file: people, requireSignatures: false }),
      ...auditActivities,
    },
  });
  await worker.runUntil(async () => {
    const once = async (runbook: CompiledRunbook, sign: boolean): Promise<number> => {
      const handle = await startRun(env.client, TASK_QUEUE, { runbook, inputs: {}, startedBy: 'bench' });
      let status: StatusView;
      let pending: PendingApproval | undefined;
      do {
        status = await handle.query(statusQuery);
        pending = status.pending.find((p): p is PendingApproval => p.kind === 'approval');
      } while (!pending);
      const expires = new Date(Date.now() + 600_000).toISOString();
      const proof = sign
        ? {
            expires,
            signature: sshSign(
              statementText(
                answerStatement(
                  {
                    workflowId: handle.workflowId,
                    firstRunId: status.firstRunId,
                    step: pending.step,
                    requestedAt: pending.requestedAt,
                    plan: pending.planHash,
                  },
                  { action: 'approve', by: 'alice', expires },
                ),
              ),
              alice.file,
            ),
          }
        : {};
      const started = performance.now();
      await handle.executeUpdate(approveUpdate, { args: [{ step: pending.step, planHash: pending.planHash, by: 'alice', ...proof }] });
      const took = performance.now() - started;
      await handle.result();
      return took;
    };
    for (let i = 0; i < 5; i++) await Promise.all([once(signed, true), once(unsigned, false)]);
    const e2e: Record<'signed' | 'unsigned', number[]> = { signed: [], unsigned: [] };
    for (let i = 0; i < RUNS; i++) {
      e2e.unsigned.push(await once(unsigned, false));
      e2e.signed.push(await once(signed, true));
    }
    console.log(`approval latency, update sent → reply, ${RUNS} runs each way, interleaved`);
    console.log(`  unsigned  median ${fmt(median(e2e.unsigned), 1)} ms, p99 ${fmt(percentile(e2e.unsigned, 99), 1)} ms`);
    console.log(`  signed    median ${fmt(median(e2e.signed), 1)} ms, p99 ${fmt(percentile(e2e.signed, 99), 1)} ms`);
    const ratio = median(e2e.signed) / median(e2e.unsigned);
    console.log(`  ratio signed/unsigned (median): ${fmt(ratio, 2)} (target ≤ 2)`);
    if (ratio > 2) process.exitCode = 1;
  });
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
