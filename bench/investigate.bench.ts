// Issue #17: what a tool call of an investigation costs next to calling the same action as a
// plain step, in one run: history events and wall time per call. Four runbooks on one server and
// worker, alternating batch by batch: N plain steps and one; an investigation making N calls (one
// per model turn, then a finding) and one making none. Per call = (N-version - base) / N, so the
// run's fixed costs cancel out. The model is a local Messages API server scripted per request.
// Targets: at most 2 times the events and 3 times the wall time of a plain step per call (a call
// is its own activity plus a model turn: two round trips where a step makes one), and exactly
// N + 1 model calls per investigation.
//   npm run bench -- investigate
import { Worker } from '@temporalio/worker';
import { claudeActivities } from '../activities/claude/advise';
import { actionActivities } from '../activities/run-action';
import type { CompiledRunbook } from '../dsl/compiled';
import { startRun } from '../temporal/start-run';
import { startFakeAnthropic, toolAnswer } from '../test/helpers/fake-anthropic';
import { fmt, median } from './stats';
import { noop } from './support/noop-action';
import { admitting, benchBundle, compileBench, startBenchServer } from './support/server';

const N = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const BATCH = 10;
const TASK_QUEUE = 'bench-investigate';

const plain = (name: string, steps: number): CompiledRunbook =>
  compileBench(
    `name: ${name}\nsteps:\n${Array.from({ length: steps }, (_, i) => `  - id: step_${i + 1}\n    uses: bench.noop\n    with: { n: ${i + 1} }\n`).join('')}`,
  );

/** An investigation; the fake model makes N calls, or none when the question says `none`. */
const investigating = (name: string, question: string): CompiledRunbook =>
  compileBench(`name: ${name}
steps:
  - id: look
    investigate:
      question: ${question}
      budget: { calls: ${N + 1} }
      tools:
        - { name: noop, uses: bench.noop, params: { n: { type: integer } } }
`);

async function main(): Promise<void> {
  const fake = await startFakeAnthropic();
  // Each request's turn is its number of messages; the question says how many calls to make.
  fake.fallback = (req) => {
    const turn = (req.body.messages.length - 1) / 2;
    const calls = String(req.body.messages[0].content[0].text).includes('none') ? 0 : N;
    return turn < calls
      ? toolAnswer('noop', { n: turn, reason: 'to see' })
      : toolAnswer('report_finding', { summary: 'done', hypotheses: [{ statement: 'all fine', confidence: 0.9, support: calls ? ['c1'] : [] }] });
  };
  const env = await startBenchServer();
  const runbooks = {
    plainN: plain('plain-n', N),
    plain1: plain('plain-1', 1),
    investigateN: investigating('investigate-n', 'What is wrong?'),
    investigate0: investigating('investigate-none', 'Report at once, with none of the tools.'),
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await benchBundle(),
    activities: {
      ...actionActivities([noop]),
      ...admitting(...Object.values(runbooks)),
      ...claudeActivities({ apiKey: 'bench', baseURL: fake.url, defaultModel: 'claude-bench', requestTimeoutMs: 10_000 }),
    },
  });
  const client = env.client;
  const wall: Record<keyof typeof runbooks, number[]> = { plainN: [], plain1: [], investigateN: [], investigate0: [] };
  const ids: Record<keyof typeof runbooks, string[]> = { plainN: [], plain1: [], investigateN: [], investigate0: [] };
  const batch = async (name: keyof typeof runbooks) =>
    Promise.all(
      Array.from({ length: BATCH }, async () => {
        const h = await startRun(client, TASK_QUEUE, { runbook: runbooks[name], inputs: {}, startedBy: 'bench' });
        await h.result();
        return h.workflowId;
      }),
    );
  let modelRequests = 0;
  await worker.runUntil(async () => {
    for (const name of Object.keys(runbooks) as Array<keyof typeof runbooks>) await batch(name);
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of Object.keys(runbooks) as Array<keyof typeof runbooks>) {
        const before = fake.requests.length;
        const started = performance.now();
        ids[name].push(...(await batch(name)));
        wall[name].push((performance.now() - started) / BATCH);
        if (name === 'investigateN') modelRequests += fake.requests.length - before;
      }
    }
  });
  const events = async (name: keyof typeof runbooks) => {
    const counts = await Promise.all(ids[name].map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));
    return median(counts);
  };
  const perStep = { events: ((await events('plainN')) - (await events('plain1'))) / (N - 1), ms: (median(wall.plainN) - median(wall.plain1)) / (N - 1) };
  const perCall = {
    events: ((await events('investigateN')) - (await events('investigate0'))) / N,
    ms: (median(wall.investigateN) - median(wall.investigate0)) / N,
  };
  const eventRatio = perCall.events / perStep.events;
  const wallRatio = perCall.ms / perStep.ms;
  const modelCalls = modelRequests / (ROUNDS * BATCH);
  console.log(`investigate: ${ROUNDS} rounds of ${BATCH} concurrent runs of each of 4 runbooks (N = ${N})`);
  console.log(`  per plain step       ${fmt(perStep.events, 1)} history events, ${fmt(perStep.ms, 1)} ms`);
  console.log(`  per tool call        ${fmt(perCall.events, 1)} history events, ${fmt(perCall.ms, 1)} ms (its activity and its model turn)`);
  console.log(`  events ratio         ${fmt(eventRatio, 2)} (target <= 2) ${eventRatio <= 2 ? 'PASS' : 'FAIL'}`);
  console.log(`  wall-time ratio      ${fmt(wallRatio, 2)} (target <= 3) ${wallRatio <= 3 ? 'PASS' : 'FAIL'}`);
  console.log(`  model calls per investigation of ${N} calls: ${fmt(modelCalls, 2)} (target ${N + 1}) ${modelCalls === N + 1 ? 'PASS' : 'FAIL'}`);
  await fake.close();
  await env.teardown();
  process.exitCode = eventRatio <= 2 && wallRatio <= 3 && modelCalls === N + 1 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
