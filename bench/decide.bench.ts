// Issue #5: the decide activity's overhead over a bare SDK call to the same local Messages API
// server (target: median <= 5 ms per decision), and exactly one model call on the happy path.
//   npm run bench -- decide
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { claudeActivities } from '../activities/claude/advise';
import { answerTool, systemPrompt, userMessage } from '../activities/claude/prompt';
import type { AdviceRequest, AdviceResult } from '../contract/activities';
import { startFakeAnthropic, toolAnswer } from '../test/helpers/fake-anthropic';
import { fmt, median, percentile } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

const request: AdviceRequest = {
  runbook: { name: 'high-error-rate', description: 'Roll back or scale a service whose 5xx rate breaks its SLO.' },
  stepId: 'diagnose',
  kind: 'decide',
  prompt: 'The 5xx ratio of checkout is above its SLO. Pick the remediation that fits the evidence.',
  choices: [
    { name: 'rollback', when: 'a deploy in the last hour lines up with the errors' },
    { name: 'scale', when: 'traffic is above capacity' },
    { name: 'escalate', when: 'anything else' },
  ],
  evidence: [
    { step: 'error_rate', status: 'succeeded', outputs: { value: 0.042, labels: { service: 'checkout' } } },
    { step: 'rollouts', status: 'succeeded', outputs: { stdout: 'REVISION  CHANGE-CAUSE\n41  image 1.4.2\n42  image 1.4.3 (12 minutes ago)\n' } },
  ],
  inputs: { service: 'checkout', namespace: 'prod' },
};

async function main(): Promise<void> {
  const fake = await startFakeAnthropic();
  const answer = toolAnswer('choose', { choice: 'rollback', reasoning: 'revision 42 went out 12 minutes ago', confidence: 0.9 });
  fake.fallback = () => answer;
  const model = 'claude-haiku-5-5';
  const client = new Anthropic({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });
  const bare = async () => {
    const stream = client.messages.stream({
      model,
      max_tokens: 1024,
      system: systemPrompt(request),
      tools: [answerTool(request)],
      tool_choice: { type: 'tool', name: 'choose' },
      messages: [{ role: 'user', content: userMessage(request) }],
    });
    await stream.finalMessage();
  };
  const { askClaude } = claudeActivities({ apiKey: 'bench', baseURL: fake.url, defaultModel: model, requestTimeoutMs: 10_000 });
  const env = new MockActivityEnvironment();
  const activity = async () => {
    const result = (await env.run(askClaude, request)) as AdviceResult;
    if (result.outcome !== 'answer' || result.calls !== 1) throw new Error(`unexpected: ${JSON.stringify(result)}`);
  };
  for (let i = 0; i < 30; i++) {
    await bare();
    await activity();
  }
  const samples: Record<'bare' | 'activity', number[]> = { bare: [], activity: [] };
  const requestsBefore = fake.requests.length;
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, fn] of [
      ['bare', bare],
      ['activity', activity],
    ] as const) {
      const t = performance.now();
      await fn();
      samples[name].push(performance.now() - t);
    }
  }
  // Each round makes one bare call; the rest are the activity's.
  const perDecision = (fake.requests.length - requestsBefore - ROUNDS) / ROUNDS;
  const overhead = median(samples.activity) - median(samples.bare);
  console.log(`decide: ${ROUNDS} decisions each way against the local Messages API (streaming, strict forced tool)`);
  console.log(`  bare SDK call         median ${fmt(median(samples.bare), 2)} ms, p99 ${fmt(percentile(samples.bare, 99), 2)} ms`);
  console.log(`  askClaude activity    median ${fmt(median(samples.activity), 2)} ms, p99 ${fmt(percentile(samples.activity, 99), 2)} ms`);
  console.log(`  overhead (median)     ${fmt(overhead, 2)} ms per decision (target <= 5.00) ${overhead <= 5 ? 'PASS' : 'FAIL'}`);
  console.log(`  model calls per decision on the happy path: ${perDecision} ${perDecision === 1 ? 'PASS' : 'FAIL'}`);
  await fake.close();
  process.exitCode = overhead <= 5 && perDecision === 1 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
