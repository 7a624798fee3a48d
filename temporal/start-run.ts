// Starting a remediation: the compiled runbook is the workflow input; the UI's summary and
// details and the search attributes come from the runbook and the alert.
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandleWithFirstExecutionRunId, type WorkflowIdReusePolicy } from '@temporalio/client';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { kindOf } from '../dsl/kinds';
import { remediationAttributes } from '../contract/search-attributes';
import type { RunInput, RunOptions } from '../contract/run';
import type { runbookV4 } from '../workflows';

/** The workflow type new runs start: the current interpreter version (workflows/runbook-workflow.ts). */
export const RUNBOOK_WORKFLOW_TYPE = 'runbookV4';

export interface StartRequest {
  runbook: CompiledRunbook;
  inputs: Record<string, unknown>;
  alert?: Alert;
  startedBy: string;
  workflowId?: string;
  options?: RunOptions;
  /** Alerts reuse a running remediation; a manual run fails if the id is taken. */
  ifRunning?: 'use-existing' | 'fail';
  /** Whether a closed run's id may be used again (Temporal's default allows it). */
  reusePolicy?: WorkflowIdReusePolicy;
}

export async function startRun(client: Client, taskQueue: string, request: StartRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof runbookV4>> {
  const { runbook, alert } = request;
  const input: RunInput = {
    runbook,
    inputs: request.inputs,
    startedBy: request.startedBy,
    ...(alert && { alert }),
    options: { tokenBudget: defaultTokenBudget(), ...request.options },
  };
  const { summary, details } = describeRunbook(runbook);
  return client.workflow.start<typeof runbookV4>(RUNBOOK_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: request.workflowId ?? `${runbook.name}-${randomUUID()}`,
    args: [input],
    workflowIdConflictPolicy: request.ifRunning === 'use-existing' ? WorkflowIdConflictPolicy.USE_EXISTING : WorkflowIdConflictPolicy.FAIL,
    ...(request.reusePolicy && { workflowIdReusePolicy: request.reusePolicy }),
    staticSummary: summary,
    staticDetails: details,
    typedSearchAttributes: remediationAttributes(runbook, request.inputs, alert),
  });
}

/** Tokens one run may spend on the model (RUNBOOK_TOKEN_BUDGET, default 200,000); then humans decide. */
export function defaultTokenBudget(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.RUNBOOK_TOKEN_BUDGET ?? 200_000);
  return Number.isFinite(n) && n >= 0 ? n : 200_000;
}

const descriptions = new WeakMap<CompiledRunbook, { summary: string; details: string }>();

/** The workflow's summary line and its details pane, in Temporal's markdown (once per compiled runbook: a storm starts many). */
export function describeRunbook(runbook: CompiledRunbook): { summary: string; details: string } {
  let description = descriptions.get(runbook);
  if (!description) descriptions.set(runbook, (description = describe(runbook)));
  return description;
}

function describe(runbook: CompiledRunbook): { summary: string; details: string } {
  const firstLine = runbook.description?.split('\n')[0]?.trim();
  const summary = firstLine ? `${runbook.name}: ${firstLine}` : runbook.name;
  const lines = [
    `**${runbook.name}** \`${runbook.hash.slice(0, 12)}\``,
    '',
    ...(runbook.description ? [runbook.description.trim(), ''] : []),
    ...Object.values(runbook.steps).map((s, i) => `${i + 1}. \`${s.id}\` ${kindOf(s).describe(s)}${s.description ? ` — ${s.description}` : ''}`),
  ];
  return { summary, details: lines.join('\n') };
}
