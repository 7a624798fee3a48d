// `npm run soak -- --minutes N [--seed S]`: the embedded stack (dev server, worker, receiver)
// under a steady stream of alerts from all four sources while faults are injected (worker
// SIGKILLed and restarted, receiver restarted, Temporal restarted with its data, the model's
// network paused), a scripted approver and a local Messages API with injected errors; then the
// runs drain and the engine's promises are checked (soak/invariants.ts). The same seed gives the
// same alerts and faults. Writes soak.log, report.json and memory.svg to the soak's folder.
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { Supervisor } from '../cli/supervisor';
import { startStack, waitForTemporal, type Stack } from '../cli/up';
import { freePorts } from '../drill/ports';
import { startApprover } from './approver';
import { expectedWorkflowId, RECEIVER_ENV } from './deliveries';
import { checkInvariants, type Window } from './invariants';
import { memoryChart, sampleMemory } from './memory';
import { startSoakModel } from './model';
import { makePlan, type Fault, type Occurrence } from './plan';
import { soakRunbooks } from './runbooks';
import { startSoakService } from './service';
import { sendAll, type Attempt } from './sender';

const WARM_UP_MS = 20_000;
const DRAIN_LIMIT_MS = 5 * 60_000;
const MEMORY_FACTOR = 1.5;

async function main(): Promise<number> {
  const opts = new Command()
    .option('--minutes <n>', 'how long alerts are sent', '3')
    .option('--seed <n>', 'the seed of the alerts and faults', '1')
    .option('--out <dir>', 'where the soak writes its log, report and chart (default: a new folder under the system temp)')
    .parse()
    .opts<{ minutes: string; seed: string; out?: string }>();
  const minutes = Number(opts.minutes);
  const seed = Number(opts.seed);
  if (!(minutes > 0) || !Number.isInteger(seed)) throw new Error('--minutes takes a positive number and --seed an integer');
  const dir = opts.out ? path.resolve(opts.out) : mkdtempSync(path.join(tmpdir(), 'runbook-soak-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const logFile = path.join(dir, 'soak.log');
  const started = Date.now();
  const say = (line: string) => {
    const stamped = `[soak +${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`;
    console.log(stamped);
    appendFileSync(logFile, stamped + '\n');
  };

  const plan = makePlan(seed, minutes);
  const byWorkflowId = new Map<string, Occurrence>(plan.deliveries.map((d) => [expectedWorkflowId(d), d.occurrence]));
  say(
    `seed ${seed}: ${plan.occurrences.length} alert occurrences in ${plan.deliveries.length} deliveries over ${minutes} min; ${plan.faults.length} faults (${countBy(plan.faults.map((f) => f.kind))})`,
  );
  const runbooks = path.join(dir, 'runbooks');
  mkdirSync(runbooks, { recursive: true });
  const actionLog = path.join(dir, 'actions.log');
  // In-process servers listen before the stack's ports are chosen (drill/main.ts says why).
  const service = await startSoakService(seed, actionLog);
  soakRunbooks(runbooks, actionLog, service.url);
  const people = path.join(dir, 'people.yaml');
  writeFileSync(people, 'groups:\n  oncall: [alice]\n');
  const secret = `soak-secret-${randomBytes(12).toString('hex')}`;

  const soakModel = await startSoakModel(seed);
  const closeServers = async () => {
    await soakModel.model.close();
    await service.close();
  };
  // The worker's and the receiver's own output goes to children.log: a crash's reason is there.
  const childrenLog = path.join(dir, 'children.log');
  const supervisor = new Supervisor((line) => (line.startsWith('[') ? appendFileSync(childrenLog, line + '\n') : say(line)));
  const [temporalPort, uiPort, receiverPort, inboxPort] = await freePorts(4);
  let stack: Stack | undefined;
  // Ctrl-C stops what the soak started: its processes have process groups of their own.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      say(`${signal}: stopping the soak`);
      void (stack ? stack.stop(130) : supervisor.stopAll()).then(closeServers).finally(() => process.exit(130));
    });
  try {
    stack = await startStack(
      {
        dataDir: dir,
        ip: '127.0.0.1',
        port: temporalPort!,
        uiPort: uiPort!,
        receiverPort: receiverPort!,
        inboxPort: inboxPort!,
        metrics: undefined,
        runbookDirs: [runbooks],
      },
      say,
      supervisor,
      {
        env: {
          ...RECEIVER_ENV,
          ANTHROPIC_API_KEY: 'soak',
          ANTHROPIC_BASE_URL: soakModel.model.url,
          RUNBOOK_MODEL_TIMEOUT_MS: '8000',
          RUNBOOK_PEOPLE_FILE: people,
          SOAK_SECRET: secret,
          RUNBOOK_METRICS_ADDRESS: 'off',
          RUNBOOK_RECEIVER_LOG: 'off',
        },
      },
    );
    const client = new Client({ connection: await Connection.connect({ address: stack.address }), namespace: 'default' });
    const receiverUrl = `http://127.0.0.1:${receiverPort}`;
    const memory = sampleMemory(['worker', 'receiver'], (name) => supervisor.pid(name), started);
    const approver = startApprover(() => client, 'runbooks', byWorkflowId, seed, say);

    // The stream and the faults, at the plan's times from now.
    const t0 = Date.now();
    const attempts: Attempt[] = [];
    const windows: Window[] = [];
    const kills: Array<{ pid: number; at: number }> = [];
    // A process of the stack that exits on its own stops the stack (cli/up.ts): the soak stops with it.
    let down = false;
    void stack.done.then(() => (down = true));
    const sending = sendAll(
      plan.deliveries,
      () => receiverUrl,
      t0,
      attempts,
      () => down,
    );
    await injectFaults(plan.faults, t0, { supervisor, address: stack.address, pauseModel: (ms) => soakModel.pause(ms), windows, kills, say, down: () => down });
    const sent = await sending;
    if (down) {
      approver.stop();
      memory.stop();
      say('the stack stopped on its own (children.log says why): the soak failed; no invariant checked');
      return 1;
    }
    say(`stream done: ${sent.length} deliveries, ${attempts.length} attempts; draining`);

    // Drain: every run ends (timeouts are short), or waits for a person.
    const drainStart = Date.now();
    for (;;) {
      const running = (await client.workflow.count('(RunbookName = "soak-remediate" OR RunbookName = "soak-page") AND ExecutionStatus = "Running"')).count;
      if (running === 0 || Date.now() - drainStart > DRAIN_LIMIT_MS) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    approver.stop();
    await new Promise((r) => setTimeout(r, 5_000));
    memory.stop();
    say(`drained in ${((Date.now() - drainStart) / 1000).toFixed(0)} s; checking the invariants`);

    const result = await checkInvariants({
      client,
      sent,
      attempts,
      windows,
      kills,
      actionLog: existsSync(actionLog) ? readFileSync(actionLog, 'utf8').split('\n') : [],
      byWorkflowId,
      secret,
      memory: memory.samples,
      warmUpEndMs: t0 - started + WARM_UP_MS,
      memoryFactor: MEMORY_FACTOR,
    });
    await client.connection.close();
    const width = Math.max(...result.checks.map((c) => c.name.length));
    say(
      `${result.runs} runs; ${approver.answered.length} human answers; ${approver.resumed} circuit-breaker pauses resumed; model faults ${JSON.stringify(soakModel.faults)}`,
    );
    for (const c of result.checks) say(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
    writeFileSync(
      path.join(dir, 'report.json'),
      JSON.stringify(
        {
          seed,
          minutes,
          occurrences: plan.occurrences.length,
          deliveries: plan.deliveries.length,
          attempts: attempts.length,
          runs: result.runs,
          answers: approver.answered.length,
          breakerResumes: approver.resumed,
          faults: windows,
          modelFaults: soakModel.faults,
          repeats: result.repeats,
          checks: result.checks,
          memory: memory.samples,
        },
        null,
        2,
      ),
    );
    writeFileSync(
      path.join(dir, 'memory.svg'),
      memoryChart(
        memory.samples,
        windows.map((w) => ({ t: w.at - started, kind: w.kind })),
        `soak seed ${seed}, ${minutes} min: worker and receiver RSS`,
      ),
    );
    say(`report ${path.join(dir, 'report.json')}, chart ${path.join(dir, 'memory.svg')}, log ${logFile}`);
    return result.checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    if (stack) await stack.stop(0);
    else await supervisor.stopAll();
    await closeServers();
  }
}

interface Chaos {
  supervisor: Supervisor;
  address: string;
  pauseModel: (ms: number) => void;
  windows: Window[];
  kills: Array<{ pid: number; at: number }>;
  say: (line: string) => void;
  /** The stack stopped: no more faults. */
  down: () => boolean;
}

/** Injects each fault at its time (one at a time: a fault due while another is under way follows it). */
async function injectFaults(faults: Fault[], t0: number, c: Chaos): Promise<void> {
  for (const fault of faults) {
    while (!c.down() && Date.now() < t0 + fault.atMs) await new Promise((r) => setTimeout(r, Math.min(1_000, t0 + fault.atMs - Date.now())));
    if (c.down()) return;
    const at = Date.now();
    switch (fault.kind) {
      case 'kill-worker': {
        const pid = c.supervisor.pid('worker')!;
        c.kills.push({ pid, at });
        await c.supervisor.stop('worker', 'SIGKILL');
        await c.supervisor.restart('worker');
        break;
      }
      case 'restart-receiver':
        await c.supervisor.stop('receiver');
        await c.supervisor.restart('receiver');
        break;
      case 'restart-temporal':
        await c.supervisor.stop('temporal');
        await c.supervisor.restart('temporal');
        await waitForTemporal(c.address, 60_000);
        break;
      case 'pause-model':
        c.pauseModel(fault.forMs);
        break;
    }
    const until = fault.kind === 'pause-model' ? at + fault.forMs : Date.now();
    c.windows.push({ kind: fault.kind, at, until });
    c.say(`fault ${fault.kind}: ${((until - at) / 1000).toFixed(1)} s`);
  }
}

function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
