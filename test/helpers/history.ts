// Reading a run's history for assertions: events with their user-metadata summaries decoded.
import type { temporal } from '@temporalio/proto';
import { testClient } from './temporal';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent & { summary?: string };

export async function historyOf(workflowId: string): Promise<HistoryEvent[]> {
  const history = await (await testClient()).workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => {
    const data = e.userMetadata?.summary?.data;
    return data ? Object.assign(e, { summary: JSON.parse(Buffer.from(data).toString('utf8')) as string }) : e;
  });
}
