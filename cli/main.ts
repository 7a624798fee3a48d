#!/usr/bin/env node
// The `runbook` command.
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { htmlReport } from '../report/html';
import { markdownReport } from '../report/markdown';
import { readHistory } from '../report/read-history';
import { codecFromEnv, dataConverter } from '../temporal/codec';
import { codecServer } from '../temporal/codec-server';
import { fetchHistory, historyJson, queryHistories, readHistoryFile, UNNAMED_HISTORY } from './histories';
import { currentWorkflowBundle, formatReplay, replayHistories } from './replay';
import { withClient } from '../temporal/connection';
import { statusQuery } from '../contract/messages';
import { describeScope, fleetGuards, formatGuards, pauseFleet, resumeFleet, scopeOf, type ScopeOptions } from './guards';
import { answerRequest, answerRun, formatPendingRun, pendingRuns, refusal, whoAmI, type CliAnswer } from './humans';
import { DEFAULT_SIGNATURE_LIFETIME, type SignOptions } from './signing';
import { formatVerdicts, verifyAnswers } from '../report/verify-signatures';
import { parseDuration } from '../dsl/durations';
import { peopleFile } from '../activities/humans/people-file';
import { DEFAULT_RETENTION_DAYS, prepareNamespace } from '../temporal/namespace-setup';
import { retryUntil } from '../temporal/retry-until';
import { runCommand } from './run';
import { testCommand, type TestCommandOptions } from './test';
import { up, upOptionsFromEnv } from './up';
import { printValidateReport, validatePaths } from './validate';

const print = (line: string) => console.log(line);
const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('runbook')
  .description('YAML runbooks as durable Temporal workflows.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('validate')
  .description('Check runbook files or folders; exit 0 when all are valid, 1 otherwise.')
  .argument('[paths...]', 'runbook files or folders (default: the RUNBOOK_DIR folders, else runbooks/)')
  .option('--json', 'machine-readable output')
  .action((paths: string[], opts: { json?: boolean }) => {
    const report = validatePaths(paths);
    printValidateReport(report, Boolean(opts.json));
    process.exitCode = report.valid ? 0 : 1;
  });

program
  .command('test')
  .description(
    'Run the scenarios of runbook test files (*.test.yaml) with every outside call scripted; exit 0 all pass, 1 a scenario fails, 2 a test file is invalid.',
  )
  .argument('[paths...]', 'test files or folders (default: the RUNBOOK_DIR folders, else runbooks/)')
  .option('--json', 'machine-readable output')
  .option('--junit <file>', 'also write JUnit XML for CI systems')
  .option('--filter <text>', 'only scenarios whose runbook or scenario name contains this')
  .option('--min-coverage <percent>', 'fail (exit 1) when a runbook has less step and route coverage')
  .option('--live-model', 'let the configured model answer decide and fill steps, and report how often it agrees with the scenarios')
  .option('--concurrency <n>', 'scenarios run at once', '4')
  .action(async (paths: string[], opts: TestCommandOptions) => {
    // The test worker's state changes (and the test server's missing capabilities) are noise here; errors still show.
    // No shutdown signals for the SDK: Ctrl-C belongs to runbook test, which stops its test server (scenarios/interrupt.ts).
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    process.exitCode = await testCommand(paths, opts, print);
  });

program
  .command('run')
  .description('Start a runbook and print each step as it completes; exit 0 on success, 1 on failure, 2 if it cannot start.')
  .argument('<file>', 'runbook file')
  .option('-i, --input <key=value>', 'an input value (repeatable)', collect, [])
  .option('--alert <file>', 'a normalised alert (JSON) to run against, for inputs taken from alert fields')
  .option('--as <name>', 'who starts the run (default: your user name)')
  .option('--id <workflowId>', 'workflow id (default: <runbook>-<uuid>)')
  .addOption(new Option('--no-wait', 'start and return without following the run'))
  .action(async (file: string, opts: { input: string[]; alert?: string; as?: string; id?: string; wait: boolean }) => {
    process.exitCode = await runCommand(file, opts, print);
  });

/** Prints the run's answer (exit 0) or its refusal (exit 1). */
async function sendHumanAction(send: () => Promise<string>, as?: string): Promise<void> {
  try {
    print(await send());
    process.exitCode = 0;
  } catch (err) {
    const why = refusal(err);
    print(`refused: ${why}`);
    // The name is the usual mistake: say which one was used, and how to choose it.
    if (/is not an approver|may not decide/.test(why))
      print(`you answered as ${whoAmI(as)} (--as, else RUNBOOK_USER, else your login name): answer with --as <your name>, or export RUNBOOK_USER=<your name>`);
    process.exitCode = 1;
  }
}

program
  .command('pending')
  .description('List runs waiting for a human: approvals (with their plans) and decisions.')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) =>
    withClient(async (client, { namespace }) => {
      const runs = await pendingRuns(client);
      if (opts.json) print(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) print('nothing is waiting for a human');
      else for (const r of runs) print(formatPendingRun(r, namespace).join('\n'));
    }),
  );

/** --sign and its settings, for every command that answers a run. */
const signFlags = (command: Command) =>
  command
    .option('--sign', 'sign the answer with your SSH key (ssh-keygen -Y sign); a signed step refuses unsigned answers')
    .option(
      '--key <file>',
      'the key to sign with: a private key, or a public key whose private half ssh-agent holds (default RUNBOOK_SIGNING_KEY or ~/.ssh/id_ed25519)',
    )
    .option('--expires-in <duration>', 'how long the signature stays valid', DEFAULT_SIGNATURE_LIFETIME);

interface SignFlags {
  sign?: boolean;
  key?: string;
  expiresIn: string;
}

function signOptions(opts: SignFlags, always = false): SignOptions | undefined {
  if (!opts.sign && !always) return undefined;
  const expiresInMs = parseDuration(opts.expiresIn);
  if (!expiresInMs) throw new Error(`--expires-in takes a duration such as 15m or 2h, not \`${opts.expiresIn}\``);
  return { ...(opts.key && { key: opts.key }), expiresInMs };
}

const parseValues = (json: string | undefined): Record<string, unknown> | undefined =>
  json !== undefined ? (JSON.parse(json) as Record<string, unknown>) : undefined;

signFlags(
  program
    .command('approve')
    .description('Approve the plan an approve step is waiting on.')
    .argument('<run>', 'workflow id')
    .requiredOption('--step <id>', 'the approve step')
    .option('--as <name>', 'who approves (default: RUNBOOK_USER or your user name)')
    .option('--comment <text>', 'why')
    .option('--plan-hash <sha256>', 'the plan you reviewed (default: the plan waiting now, printed)'),
).action(async (run: string, opts: { step: string; as?: string; comment?: string; planHash?: string } & SignFlags) =>
  withClient((client) =>
    sendHumanAction(async () => {
      const { reply, request } = await answerRun(client, run, { action: 'approve', ...opts }, signOptions(opts));
      return `${reply.message} (plan ${(request as { planHash: string }).planHash})`;
    }, opts.as),
  ),
);

signFlags(
  program
    .command('reject')
    .description('Reject the plan an approve step is waiting on.')
    .argument('<run>', 'workflow id')
    .requiredOption('--step <id>', 'the approve step')
    .requiredOption('--reason <text>', 'why')
    .option('--as <name>', 'who rejects (default: RUNBOOK_USER or your user name)'),
).action(async (run: string, opts: { step: string; reason: string; as?: string } & SignFlags) =>
  withClient((client) => sendHumanAction(async () => (await answerRun(client, run, { action: 'reject', ...opts }, signOptions(opts))).reply.message, opts.as)),
);

signFlags(
  program
    .command('decide')
    .description('Decide for a decide step (--choice) or fill a fill step (--values JSON) that waits for a human.')
    .argument('<run>', 'workflow id')
    .requiredOption('--step <id>', 'the decide or fill step')
    .option('--choice <name>', 'one of the declared choices')
    .option('--values <json>', 'values that satisfy the fill step schema')
    .option('--comment <text>', 'why')
    .option('--as <name>', 'who decides (default: RUNBOOK_USER or your user name)'),
).action(async (run: string, opts: { step: string; choice?: string; values?: string; comment?: string; as?: string } & SignFlags) =>
  withClient((client) =>
    sendHumanAction(async () => {
      const values = parseValues(opts.values);
      const answer: CliAnswer = {
        action: 'decide',
        step: opts.step,
        ...(opts.as && { as: opts.as }),
        ...(opts.comment && { comment: opts.comment }),
        ...(opts.choice && { choice: opts.choice }),
        ...(values && { values }),
      };
      return (await answerRun(client, run, answer, signOptions(opts))).reply.message;
    }, opts.as),
  ),
);

signFlags(
  program
    .command('sign')
    .description("Print a signed answer's JSON, to paste into the Web UI's Send a Signal dialog (the signal name goes to stderr).")
    .argument('<run>', 'workflow id')
    .requiredOption('--step <id>', 'the step that waits')
    .option('--approve', 'approve the plan waiting now')
    .option('--reject <reason>', 'reject it, with the reason')
    .option('--choice <name>', 'decide: one of the declared choices')
    .option('--values <json>', 'fill: values that satisfy the step schema')
    .option('--comment <text>', 'why')
    .option('--as <name>', 'who answers (default: RUNBOOK_USER or your user name)'),
).action(
  async (
    run: string,
    opts: { step: string; approve?: boolean; reject?: string; choice?: string; values?: string; comment?: string; as?: string } & SignFlags,
  ) => {
    const picked = [opts.approve, opts.reject, opts.choice ?? opts.values].filter((x) => x !== undefined);
    if (picked.length !== 1) return usage('give exactly one answer: --approve, --reject <reason>, or --choice / --values');
    await withClient(async (client) => {
      const base = { step: opts.step, ...(opts.as && { as: opts.as }) };
      const values = parseValues(opts.values);
      const answer: CliAnswer = opts.approve
        ? { action: 'approve', ...base, ...(opts.comment && { comment: opts.comment }) }
        : opts.reject !== undefined
          ? { action: 'reject', ...base, reason: opts.reject }
          : {
              action: 'decide',
              ...base,
              ...(opts.choice && { choice: opts.choice }),
              ...(values && { values }),
              ...(opts.comment && { comment: opts.comment }),
            };
      const request = await answerRequest(client, run, answer, signOptions(opts, true));
      console.error(`send it as the signal \`${answer.action}\` (Web UI: More Actions → Send a Signal), before ${(request as { expires: string }).expires}`);
      print(JSON.stringify(request));
    });
  },
);

program
  .command('verify')
  .description('Re-check every signed approval and decision of a run from its history alone, against a people file; exit 1 if an accepted one does not verify.')
  .argument('[run]', 'workflow id')
  .option('--file <file>', 'a history file instead of a live run')
  .option('--workflow-id <id>', "with --file: the run's workflow id (what the signatures name)")
  .option('--people <file>', 'the people file to check against (default RUNBOOK_PEOPLE_FILE or config/people.yaml)')
  .option('--json', 'machine-readable output')
  .action(async (run: string | undefined, opts: { file?: string; workflowId?: string; people?: string; json?: boolean }) => {
    if ((run === undefined) === (opts.file === undefined)) return usage('give a run id or --file');
    const named = await historyFrom(run, opts);
    // Signatures name their run: without its id, nothing binds them to this history.
    if (named.workflowId === UNNAMED_HISTORY) return usage(`${opts.file} does not name its run: pass --workflow-id`);
    const report = await readHistory(named.history, named.workflowId, codecFromEnv());
    const verdicts = await verifyAnswers(report, opts.people ?? peopleFile());
    print(opts.json ? JSON.stringify(verdicts, null, 2) : formatVerdicts(verdicts).join('\n'));
    // A refused attempt changed nothing; an accepted answer that does not verify is what an auditor must see.
    process.exitCode = verdicts.some((v) => v.outcome === 'accepted' && v.verdict === 'unverifiable') ? 1 : 0;
  });

const scopeFlags = (command: Command) =>
  command
    .option('--all', 'every write step of the fleet (this task queue)')
    .option('--runbook <name>', 'the write steps of one runbook')
    .option('--key <key>', 'the write steps that claim this guard key');

scopeFlags(program.command('pause'))
  .description('Kill switch: no write step it covers starts once this returns (runs wait at the step, or follow `onPaused`); reads go on.')
  .requiredOption('--reason <text>', 'why; shown in every parked run')
  .option('--as <name>', 'who pauses (default: RUNBOOK_USER or your user name)')
  .action(async (opts: ScopeOptions & { reason: string; as?: string }) => {
    const scope = scopeOf(opts);
    if (typeof scope === 'string') return usage(scope);
    await withClient((client, { taskQueue }) =>
      sendHumanAction(async () => {
        const p = await pauseFleet(client, taskQueue, scope, whoAmI(opts.as), opts.reason);
        return `paused ${describeScope(p)} (by ${p.by} at ${p.at})`;
      }),
    );
  });

scopeFlags(program.command('resume'))
  .description('Lift the pause of exactly this scope (a tripped breaker is a pause of its runbook); parked runs go on.')
  .option('--as <name>', 'who resumes (default: RUNBOOK_USER or your user name)')
  .action(async (opts: ScopeOptions & { as?: string }) => {
    const scope = scopeOf(opts);
    if (typeof scope === 'string') return usage(scope);
    await withClient((client, { taskQueue }) =>
      sendHumanAction(async () => {
        const lifted = await resumeFleet(client, taskQueue, scope, whoAmI(opts.as));
        return lifted.length
          ? lifted.map((p) => `resumed ${describeScope(p)} (paused by ${p.by}: ${p.reason})`).join('\n')
          : `no pause of ${describeScope(scope)} was in force`;
      }),
    );
  });

program
  .command('guards')
  .description('The fleet guards: keys with their holders and waiters, budgets left, pauses and breakers.')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) =>
    withClient(async (client, { taskQueue }) => {
      const view = await fleetGuards(client, taskQueue);
      print(opts.json ? JSON.stringify(view, null, 2) : formatGuards(view).join('\n'));
    }),
  );

/** A run's history, from the server or from a file (`--file`, `--workflow-id`). */
function historyFrom(run: string | undefined, opts: { file?: string; workflowId?: string }) {
  return opts.file ? readHistoryFile(opts.file, opts.workflowId) : withClient((client) => fetchHistory(client, run!));
}

function usage(message: string): void {
  print(message);
  process.exitCode = 2;
}

program
  .command('status')
  .description('Where a run stands: steps, pending approvals and decisions, decisions taken, the audit trail.')
  .argument('<run>', 'workflow id')
  .action(async (run: string) => withClient(async (client) => print(JSON.stringify(await client.workflow.getHandle(run).query(statusQuery), null, 2))));

program
  .command('history')
  .description("Export a run's full history as JSON (the format of `temporal workflow show --output json`, which the replayer reads).")
  .argument('<run>', 'workflow id')
  .option('--run-id <id>', 'a run other than the latest')
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .action(async (run: string, opts: { runId?: string; output?: string }) =>
    withClient(async (client) => {
      const json = historyJson((await fetchHistory(client, run, opts.runId)).history);
      if (opts.output) writeFileSync(opts.output, json + '\n');
      else print(json);
    }),
  );

program
  .command('replay')
  .description('Replay runs against the current workflow code: OK, or the non-determinism found; exit 1 if any fails.')
  .argument('[run]', 'workflow id of one run')
  .option('--file <file>', 'a history file (runbook history / temporal workflow show --output json)')
  .option('--workflow-id <id>', "the workflow id of the file's run (child runs are named after it)")
  .option('--query <visibility query>', 'every run it finds, e.g. \'RunbookName="high-error-rate" AND StartTime > "2026-11-01T00:00:00Z"\'')
  .option('--limit <n>', 'with --query: at most this many runs', '100')
  .action(async (run: string | undefined, opts: { file?: string; workflowId?: string; query?: string; limit: string }) => {
    if ([run, opts.file, opts.query].filter(Boolean).length !== 1) {
      print('give exactly one of: a run id, --file, --query');
      process.exitCode = 2;
      return;
    }
    // The replay worker's state changes are noise here; problems still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const bundle = await currentWorkflowBundle();
    const outcomes = opts.file
      ? await replayHistories([readHistoryFile(opts.file, opts.workflowId)], bundle, dataConverter())
      : await withClient(async (client) =>
          replayHistories(opts.query ? queryHistories(client, opts.query, Number(opts.limit)) : [await fetchHistory(client, run!)], bundle, dataConverter()),
        );
    for (const line of formatReplay(outcomes)) print(line);
    process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
  });

program
  .command('report')
  .description('What happened in a run, from its history alone: timeline, alert, decisions, approvals, compensations.')
  .argument('[run]', 'workflow id')
  .option('--file <file>', 'a history file instead of a live run')
  .option('--workflow-id <id>', "with --file: the run's workflow id")
  .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'html']).default('markdown'))
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .option('--people <file>', 'the people file signed answers are re-checked against (default RUNBOOK_PEOPLE_FILE or config/people.yaml)')
  .action(async (run: string | undefined, opts: { file?: string; workflowId?: string; format: 'markdown' | 'html'; output?: string; people?: string }) => {
    const named = await historyFrom(run, opts);
    const report = await readHistory(named.history, named.workflowId, codecFromEnv());
    if (report.humans.some((h) => h.signed?.signature !== undefined)) {
      const file = opts.people ?? peopleFile();
      report.signatures = { peopleFile: file, verdicts: await verifyAnswers(report, file) };
    }
    const text = opts.format === 'html' ? htmlReport(report) : markdownReport(report);
    if (opts.output) writeFileSync(opts.output, text);
    else print(text);
  });

program
  .command('codec-server')
  .description("Serve /decode and /encode for payloads encrypted with RUNBOOK_PAYLOAD_KEY, for the Web UI's codec endpoint setting.")
  .option('--port <port>', 'port', '8888')
  .option('--origin <url>', 'the Web UI allowed to call it', 'http://localhost:8233')
  .action(async (opts: { port: string; origin: string }) => {
    const codec = codecFromEnv();
    if (!codec) {
      print('RUNBOOK_PAYLOAD_KEY is not set: there is nothing to decode');
      process.exitCode = 2;
      return;
    }
    const app = codecServer(codec, opts.origin);
    await app.listen({ host: '127.0.0.1', port: Number(opts.port) });
    print(`codec server on http://127.0.0.1:${opts.port} for ${opts.origin}; in the Web UI: Settings → Codec Server → this URL`);
  });

program
  .command('setup')
  .description(
    'Create the namespace if it does not exist and register the search attributes runs use (RunbookName, Service, ...) on the Temporal cluster of TEMPORAL_ADDRESS.',
  )
  .option('--wait <seconds>', 'keep trying while the cluster is not ready yet (a server that is starting)', '0')
  .option('--retention <days>', 'how long a new namespace keeps closed runs (replay, reports, audit)', String(DEFAULT_RETENTION_DAYS))
  .action(async (opts: { wait: string; retention: string }) => {
    const waitSeconds = Number(opts.wait);
    const retentionDays = Number(opts.retention);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new Error(`--wait takes seconds, not ${opts.wait}`);
    if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new Error(`--retention takes a whole number of days, not ${opts.retention}`);
    const deadline = Date.now() + waitSeconds * 1000;
    const lines = await retryUntil(deadline, () => withClient((client, { namespace }) => prepareNamespace(client, namespace, retentionDays, deadline)));
    lines.forEach((line) => print(line));
  });

program
  .command('up')
  .description('Start the embedded stack: Temporal dev server (Web UI on :8233), the worker and the alert receiver (:9095). Ctrl-C stops it.')
  .action(async () => {
    process.exitCode = await up(upOptionsFromEnv(), print);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
