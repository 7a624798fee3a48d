// The model's activities: `askClaude`, one forced, strict tool call through @anthropic-ai/sdk
// (streamed; the activity heartbeats every second, also before the first token), the answer
// validated again here, and a bounded number of corrections with the validation error fed back;
// and `investigateTurn`, one turn of an investigation (investigate.ts).
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { validatorFor } from '../../dsl/shape';
import type { TokenUsage } from '../../contract/run';
import { heartbeatWhileRunning } from '../heartbeat';
import { count, observeSeconds } from '../metrics';
import type { ClaudeConfig } from './config';
import { exchange } from './exchange';
import { answerTool, systemPrompt, userMessage } from './prompt';
import { investigateTurn } from './investigate';
import type { AdviceRequest, AdviceResult, ClaudeActivities } from '../../contract/activities';

/** Answers outside the choices or schema get this many corrections before a human decides. */
export const MAX_CORRECTIONS = 2;
const MAX_TOKENS = { decide: 1024, fill: 2048 };

export function claudeActivities(config: ClaudeConfig): ClaudeActivities {
  let client: Anthropic | undefined;
  const getClient = () =>
    // The SDK's own retries are off: Temporal retries, so each attempt shows in history.
    (client ??= new Anthropic({ apiKey: config.apiKey, ...(config.baseURL && { baseURL: config.baseURL }), maxRetries: 0, timeout: config.requestTimeoutMs }));
  /** One model exchange: heartbeats while it runs (also before the first token), metrics after. */
  async function call<R extends { model: string; outcome: string; usage: TokenUsage }>(
    requested: string | undefined,
    ask: (client: Anthropic, model: string) => Promise<R>,
  ): Promise<R> {
    if (!config.apiKey) {
      throw ApplicationFailure.create({ type: 'ModelNotConfigured', message: 'no ANTHROPIC_API_KEY on the worker', nonRetryable: true });
    }
    const stopHeartbeat = heartbeatWhileRunning();
    const model = requested ?? config.defaultModel;
    const started = Date.now();
    try {
      const result = await ask(getClient(), model);
      recordModelCall(result.model, result.outcome, (Date.now() - started) / 1000, result.usage);
      return result;
    } catch (err) {
      recordModelCall(model, 'error', (Date.now() - started) / 1000);
      throw err;
    } finally {
      stopHeartbeat();
    }
  }
  return {
    askClaude: (request) => call(request.model, (client, model) => advise(client, request, model)),
    investigateTurn: (request) => call(request.model, (client, model) => investigateTurn(client, request, model)),
  };
}

function recordModelCall(model: string, outcome: string, seconds: number, usage?: TokenUsage): void {
  count('modelCalls', { model, outcome });
  observeSeconds('modelSeconds', seconds, { model, outcome });
  if (!usage) return;
  for (const [type, n] of [
    ['input', usage.input],
    ['output', usage.output],
    ['cache_read', usage.cacheRead],
    ['cache_write', usage.cacheWrite],
  ] as const)
    count('modelTokens', { model, type }, n);
}

async function advise(client: Anthropic, req: AdviceRequest, model: string): Promise<AdviceResult> {
  const started = Date.now();
  const tool = answerTool(req);
  const usage: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: userMessage(req) }];
  let calls = 0;
  let problem: string;
  let last: Record<string, unknown> = {};
  let answeredModel: string;
  for (;;) {
    calls++;
    const message = await exchange(
      client,
      { model, max_tokens: MAX_TOKENS[req.kind], system: systemPrompt(req), tools: [tool], tool_choice: { type: 'tool', name: tool.name }, messages },
      usage,
    );
    answeredModel = message.model;
    const call = message.content.find((c): c is Anthropic.ToolUseBlock => c.type === 'tool_use' && c.name === tool.name);
    problem = call ? validationProblem(req, call.input) : `no call of the \`${tool.name}\` tool in the answer`;
    if (call) last = call.input as Record<string, unknown>;
    if (!problem) {
      const answer = call!.input as { choice?: string; values?: Record<string, unknown>; reasoning: string; confidence: number };
      return {
        outcome: 'answer',
        ...(req.kind === 'decide' ? { choice: answer.choice } : { values: answer.values }),
        reasoning: answer.reasoning,
        confidence: answer.confidence,
        model: answeredModel,
        usage,
        latencyMs: Date.now() - started,
        calls,
      };
    }
    if (calls > MAX_CORRECTIONS) break;
    messages.push({ role: 'assistant', content: message.content });
    const correction = `Your answer was rejected: ${problem}. Call the \`${tool.name}\` tool again with a valid answer.`;
    messages.push({ role: 'user', content: call ? [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: correction }] : correction });
  }
  return {
    outcome: 'invalid',
    reasoning: typeof last.reasoning === 'string' ? last.reasoning : '',
    confidence: typeof last.confidence === 'number' ? last.confidence : 0,
    model: answeredModel,
    usage,
    latencyMs: Date.now() - started,
    calls,
    problem,
  };
}

/** Our own check of the answer; a strict tool makes a bad answer unlikely, not impossible. */
export function validationProblem(req: AdviceRequest, input: unknown): string {
  const answer = input as Record<string, unknown>;
  if (answer === null || typeof answer !== 'object') return 'the answer is not an object';
  const problems: string[] = [];
  if (typeof answer.reasoning !== 'string' || answer.reasoning.trim() === '') problems.push('`reasoning` must be a non-empty string');
  if (typeof answer.confidence !== 'number' || answer.confidence < 0 || answer.confidence > 1) problems.push('`confidence` must be a number from 0 to 1');
  if (req.kind === 'decide') {
    const names = (req.choices ?? []).map((c) => c.name);
    if (typeof answer.choice !== 'string' || !names.includes(answer.choice))
      problems.push(`\`choice\` must be one of ${names.join(', ')}, not ${JSON.stringify(answer.choice)}`);
  } else {
    const validate = validatorFor(req.schema ?? { type: 'object' });
    if (!validate(answer.values)) {
      problems.push(...(validate.errors ?? []).map((e) => `\`values${e.instancePath.replace(/\//g, '.')}\` ${e.message ?? 'is invalid'}`));
    }
  }
  return problems.join('; ');
}
