// Histories for `runbook history`, `replay` and `report`: from a live run, a visibility query,
// or a file (`temporal workflow show --output json`, or the replay corpus' {workflowId, history}).
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

export interface NamedHistory {
  workflowId: string;
  history: temporal.api.history.v1.IHistory;
}

export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<NamedHistory> {
  return { workflowId, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() };
}

/** The JSON `temporal workflow show --output json` writes and the SDK's replayer reads. */
export function historyJson(history: temporal.api.history.v1.IHistory): string {
  return historyToJSON(history as temporal.api.history.v1.History);
}

/** The workflow id of a history file that names none (`temporal workflow show` writes events only). */
export const UNNAMED_HISTORY = 'replayed-from-file';

export function readHistoryFile(file: string, workflowId?: string): NamedHistory {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { events?: unknown; history?: unknown; workflowId?: string };
  if (json.history !== undefined) return { workflowId: workflowId ?? json.workflowId ?? UNNAMED_HISTORY, history: historyFromJSON(json.history) };
  if (json.events === undefined) throw new Error(`${file} is not a workflow history (no "events")`);
  return { workflowId: workflowId ?? UNNAMED_HISTORY, history: historyFromJSON(json) };
}

/** Histories of the runs a visibility query finds, newest first, at most `limit`. */
export async function* queryHistories(client: Client, query: string, limit: number): AsyncIterable<NamedHistory> {
  let n = 0;
  for await (const h of client.workflow.list({ query, pageSize: Math.min(limit, 100) }).intoHistories()) {
    if (n++ >= limit) return;
    yield h as NamedHistory;
  }
}
