// Issue #13: how fast `runbook test` runs the examples' scenarios (one test server and one worker
// for all of them), and what a scenario costs next to a real run of the same path on the dev
// server. Targets: at least 20 scenarios per second once started; a scenario cheaper than the
// real run (ratio < 1).
//   npm run bench -- scenarios
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { BUILTIN_ACTIONS, catalogOf } from '../activities/registry';
import { actionActivities } from '../activities/run-action';
import { compileFile, RunbookFolders } from '../repository/runbook-files';
import { peopleFile } from '../activities/humans/people-file';
import { checkTestFiles, runSuite } from '../scenarios/suite';
import { startRun } from '../temporal/start-run';
import { bundleWorkflows } from '../temporal/bundle';
import { fmt, median } from './stats';
import { admitting, startBenchServer } from './support/server';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_PER_SECOND = 20;

/** Rounds of the whole examples' suite: scenarios per second, with and without start-up. */
async function suiteRate(): Promise<{
  scenarios: number;
  perSecond: number;
  perSecondWithStartup: number;
  startupMs: number;
  runTimeMs: number;
  wallMs: number;
}> {
  const catalog = catalogOf(BUILTIN_ACTIONS);
  const examples = path.join(__dirname, '..', '..', 'runbooks');
  const { files } = checkTestFiles([examples], catalog, [examples]);
  const rates: number[] = [];
  const withStartup: number[] = [];
  let scenarios = 0;
  let startupMs = 0;
  let runTimeMs = 0;
  let wallMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const result = await runSuite(files, { catalog, peopleFile: peopleFile(), concurrency: 4 });
    const failed = result.scenarios.filter((s) => !s.ok);
    if (failed.length > 0) throw new Error(`scenarios failed: ${failed.map((s) => s.scenario).join(', ')}`);
    scenarios = result.scenarios.length;
    startupMs = result.startupMs;
    runTimeMs = result.runTimeMs;
    wallMs = result.durationMs;
    rates.push(scenarios / ((result.durationMs - result.startupMs) / 1000));
    withStartup.push(scenarios / (result.durationMs / 1000));
  }
  return { scenarios, perSecond: median(rates), perSecondWithStartup: median(withStartup), startupMs, runTimeMs, wallMs };
}

/** smoke-check's healthy path: its scenario, and a real run of it (real `df`, `awk` and an HTTP probe of a local server). */
async function scenarioVersusRealRun(): Promise<{ scenarioMs: number; realMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-scenarios-'));
  const web = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => web.once('listening', r));
  const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`;
  writeFileSync(path.join(dir, 'smoke-check.yaml'), readFileSync(path.join(__dirname, '..', '..', 'runbooks', 'smoke-check.yaml'), 'utf8'));
  writeFileSync(
    path.join(dir, 'smoke-check.test.yaml'),
    `runbook: smoke-check
scenarios:
${Array.from(
  { length: 20 },
  (_, i) => `  - name: healthy ${i}
    inputs: { url: '${url}' }
    steps:
      probe: { outputs: { status: 200 } }
      disk: { outputs: { stdout: "x" } }
      usage: { outputs: { stdout: "42\\n" } }
      report: { outputs: { stdout: "ok" } }
    expect: { path: [probe, disk, usage, disk_almost_full: skipped, report], status: succeeded }
`,
).join('')}`,
  );
  const catalog = catalogOf(BUILTIN_ACTIONS);
  const suite = await runSuite(checkTestFiles([dir], catalog, [dir]).files, { catalog, peopleFile: peopleFile(), concurrency: 1 });
  const scenarioMs = median(suite.scenarios.map((s) => s.durationMs));

  const env = await startBenchServer();
  const compiled = compileFile(path.join(dir, 'smoke-check.yaml'), catalog, new RunbookFolders([dir])).runbook!;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bench-scenarios',
    workflowBundle: await bundleWorkflows(require.resolve('../workflows')),
    activities: { ...actionActivities(BUILTIN_ACTIONS), ...admitting(compiled) },
  });
  const real: number[] = [];
  await worker.runUntil(async () => {
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await (await startRun(env.client, 'bench-scenarios', { runbook: compiled, inputs: { url }, startedBy: 'bench' })).result();
      if (i > 0) real.push(performance.now() - started);
    }
  });
  await env.teardown();
  web.close();
  return { scenarioMs, realMs: median(real) };
}

async function main(): Promise<void> {
  const rate = await suiteRate();
  const cost = await scenarioVersusRealRun();
  const ratio = cost.scenarioMs / cost.realMs;
  console.log(`scenarios: the examples' ${rate.scenarios} scenarios, ${ROUNDS} rounds, 4 at a time, one test server and one worker per round`);
  console.log(`  scenarios per second once started: ${fmt(rate.perSecond, 1)} (target >= ${TARGET_PER_SECOND})`);
  console.log(`  with start-up (${rate.startupMs} ms for server, worker and bundle): ${fmt(rate.perSecondWithStartup, 1)}`);
  console.log(
    `  the runs' own time (timers, timeouts, backoff) ${fmt(rate.runTimeMs / 3_600_000, 1)} h in ${fmt(rate.wallMs / 1000, 1)} s of wall time: ratio ${(rate.wallMs / rate.runTimeMs).toExponential(1)}`,
  );
  console.log(
    `  smoke-check healthy path: scenario ${fmt(cost.scenarioMs, 0)} ms, real run on the dev server ${fmt(cost.realMs, 0)} ms, ratio ${fmt(ratio, 2)}`,
  );
  if (rate.perSecond < TARGET_PER_SECOND || ratio >= 1) process.exitCode = 1;
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
