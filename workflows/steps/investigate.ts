// `investigate`: the loop of an investigation. Each turn asks Claude (an activity) with what was
// gathered so far; each tool call it makes is checked here (a declared tool, arguments within the
// tool's schema) and runs as an activity of its own, marked read-only so the activity refuses it
// again if it would write. Results go back to the model as data. The loop ends with a finding,
// or, out of calls, tokens or time, with what it has, marked incomplete.
import { isCancellation, scheduleActivity } from '@temporalio/workflow';
import type { CallRecord, InvestigateOutputs, InvestigateStep, InvestigateTool } from '../../dsl/kinds/investigate';
import { keyRoute } from '../../dsl/route-labels';
import { renderParameters } from '../../dsl/secrets';
import { ENGINE_ACTIVITY, type InvestigateTurnRequest, type InvestigateTurnResult, type InvestigationTurn } from '../../contract/activities';
import { labelText } from '../../contract/labels';
import { tokensOf } from '../../contract/run';
import { stepActivityOptions } from '../activity-options';
import { reasonOf } from '../failures';
import { ok, type StepHandler } from '../outcome';
import type { Frame } from '../run';
import { actionRequest, callAction } from './action';
import { maskForModel, modelContext, NO_MODEL } from './advisor';
import { schemaFaults } from '../human-requests';

/** What the model is shown of one result; the rest is cut (the whole result is in the call's activity). */
const RESULT_CHARS = 8_000;
const EXCERPT_CHARS = 300;

type Call = Extract<InvestigateTurnResult, { outcome: 'calls' }>['calls'][number];

export const runInvestigate: StepHandler<InvestigateStep> = async (step, { frame }) => {
  const run = frame.run;
  const started = Date.now();
  const calls: CallRecord[] = [];
  const transcript: InvestigationTurn[] = [];
  let tokens = 0;
  let model = '';
  const recommend = step.recommend !== undefined ? run.runbook.steps[step.recommend] : undefined;
  const { prompt: question, ...context } = modelContext(frame, step.question, step.evidence, step.model);
  const base = {
    ...context,
    stepId: step.id,
    question,
    tools: step.tools.map((t) => ({ name: t.name, description: t.description, params: t.params })),
    ...(recommend?.kind === 'decide' && { choices: Object.entries(recommend.choices).map(([name, c]) => ({ name, when: c.when })) }),
  };
  run.investigations.set(step.id, calls);
  const incomplete = (why: string, summary = why) =>
    ok<InvestigateOutputs>(
      { complete: false, incomplete: why, summary, hypotheses: [], recommendation: null, calls, model, tokens },
      step.onIncomplete,
      step.onIncomplete !== undefined ? keyRoute('onIncomplete') : undefined,
    );
  try {
    if (!run.modelConfigured) return incomplete(NO_MODEL);
    const runBudget = run.input.options?.tokenBudget;
    for (let turnNo = 1; ; turnNo++) {
      const spent =
        outOfBudget(step, calls.length, tokens, Date.now() - started) ??
        (runBudget !== undefined && run.tokensUsed >= runBudget ? `the run's token budget (${runBudget}) is spent` : undefined);
      if (spent) return incomplete(spent, [...transcript].reverse().find((t) => t.text)?.text ?? spent);
      const request: InvestigateTurnRequest = { ...base, transcript, callsLeft: step.budget.calls - calls.length };
      let turn: InvestigateTurnResult;
      try {
        turn = await scheduleActivity<InvestigateTurnResult>(
          ENGINE_ACTIVITY.investigateTurn,
          [request],
          stepActivityOptions(step.timeoutMs, step.retry, labelText({ kind: 'ask-claude', step: step.id })),
        );
      } catch (err) {
        if (isCancellation(err)) throw err;
        return incomplete(`Claude could not answer (turn ${turnNo}): ${reasonOf(err)}`);
      }
      run.spendTokens(turn.usage);
      tokens += tokensOf(turn.usage);
      model = turn.model;
      if (turn.outcome === 'finding') {
        const { summary, hypotheses, recommendation } = turn.finding;
        return ok<InvestigateOutputs>({ complete: true, summary, hypotheses, recommendation: recommendation ?? null, calls, model, tokens });
      }
      if (turn.outcome === 'invalid') return incomplete(`Claude answered neither with tool calls nor with a valid finding: ${turn.problem}`, turn.text);
      // Calls beyond the budget are not made; the next turn does not happen either.
      const taken = turn.calls.slice(0, step.budget.calls - calls.length);
      const numbered = taken.map((call, i) => ({ call, id: `c${calls.length + i + 1}` }));
      const results = await Promise.all(numbered.map(({ call, id }) => runTool(step, frame, call, id)));
      calls.push(...results.map((r) => r.record));
      transcript.push({
        ...(turn.text && { text: turn.text }),
        calls: numbered.map(({ call, id }) => ({ id, tool: call.tool, input: call.input, reason: call.reason })),
        results: results.map((r) => ({ id: r.record.id, content: r.content, isError: r.record.status !== 'ok' })),
      });
    }
  } finally {
    run.investigations.delete(step.id);
  }
};

function outOfBudget(step: InvestigateStep, calls: number, tokens: number, elapsedMs: number): string | undefined {
  if (calls >= step.budget.calls) return `out of tool calls (${step.budget.calls})`;
  if (tokens >= step.budget.tokens) return `out of tokens (${tokens} of ${step.budget.tokens})`;
  if (elapsedMs >= step.budget.timeMs) return `out of time (${Math.round(elapsedMs / 1000)} s of ${Math.round(step.budget.timeMs / 1000)} s)`;
  return undefined;
}

/**
 * One tool call: refused (and counted) unless it names a declared tool with arguments within the
 * tool's schema; otherwise the tool's action runs as an activity, read-only.
 */
async function runTool(step: InvestigateStep, frame: Frame, call: Call, id: string): Promise<{ record: CallRecord; content: string }> {
  const record = (status: CallRecord['status'], content: string) => ({
    record: { id, tool: call.tool, input: call.input, reason: call.reason, status, excerpt: content.slice(0, EXCERPT_CHARS) },
    content,
  });
  const tool = step.tools.find((t) => t.name === call.tool);
  if (!tool) return record('refused', `Refused: there is no tool \`${call.tool}\`. The tools are: ${step.tools.map((t) => t.name).join(', ')}.`);
  const faults = schemaFaults(tool.params, call.input);
  if (faults) {
    const why = faults.map((f) => `${f.at.replace(/^#/, 'arguments')}: ${f.constraint}`);
    return record('refused', `Refused: the arguments do not fit \`${tool.name}\`: ${why.join('; ')}.`);
  }
  let request;
  try {
    const rendered = renderParameters(tool.with, frame.scope({ params: call.input }));
    const passed = Object.fromEntries(tool.passThrough.filter((k) => k in call.input).map((k) => [k, call.input[k]]));
    request = {
      ...actionRequest(frame.run.runbook, step.id, { value: { ...passed, ...rendered.value }, sites: rendered.sites }, tool.secrets),
      readOnly: tool.readOnly !== undefined ? { declared: tool.readOnly } : {},
    };
  } catch (err) {
    return record('refused', `Refused: the arguments cannot be used: ${reasonOf(err)}.`);
  }
  try {
    const outputs = await callAction(tool.uses, request, {
      timeoutMs: tool.timeoutMs,
      retry: tool.retry,
      summary: labelText({ kind: 'investigate', step: step.id, what: callSummary(tool, request.with) }),
    });
    // A tool may echo a sensitive input (a token it was given): the model never sees one.
    return record('ok', maskForModel(frame, asData(id, tool, outputs)));
  } catch (err) {
    if (isCancellation(err)) throw err;
    return record('failed', maskForModel(frame, `The call failed: ${reasonOf(err)}`));
  }
}

/** `prometheus.query rate(http_errors[5m])`: the action and its first few argument values, for the Web UI. */
function callSummary(tool: InvestigateTool, withValue: Record<string, unknown>): string {
  const values = Object.values(withValue)
    .map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(' ') : undefined))
    .filter((v): v is string => v !== undefined);
  const text = `${tool.uses} ${values.join(' ')}`.replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * A result as the model reads it: JSON inside a tag it cannot close (`<` is escaped), so a log line
 * that says "ignore your instructions" stays a string in a document, not a turn of the conversation.
 */
function asData(id: string, tool: InvestigateTool, outputs: unknown): string {
  let json = JSON.stringify(outputs ?? null).replace(/</g, '\\u003c');
  if (json.length > RESULT_CHARS) json = `${json.slice(0, RESULT_CHARS)}… [${json.length - RESULT_CHARS} characters cut]`;
  return `<tool-output call="${id}" tool="${tool.name}">\n${json}\n</tool-output>`;
}
