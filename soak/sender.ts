// Sends the plan's deliveries at their times, as an alert source does: on a refused connection
// or a 503 it waits (Retry-After, else a second) and sends again, for up to two minutes. Every
// attempt is recorded: the invariants judge the receiver's answers against the faults.
import { expectedWorkflowId, request } from './deliveries';
import type { Delivery } from './plan';

export interface Attempt {
  delivery: number;
  at: number;
  status?: number;
  retryAfter?: string;
  error?: string;
}

export interface SentDelivery {
  delivery: Delivery;
  /** Workflow ids the receiver's final answer named, per runbook result. */
  answered: Array<{ outcome: string; workflowId?: string }>;
  finalStatus?: number;
  expectedWorkflowId: string;
}

const GIVE_UP_MS = 120_000;

export async function sendAll(
  deliveries: Delivery[],
  receiverUrl: () => string,
  startedAt: number,
  attempts: Attempt[],
  stopAt: () => boolean,
): Promise<SentDelivery[]> {
  return Promise.all(
    deliveries.map(async (delivery, index): Promise<SentDelivery> => {
      while (!stopAt() && Date.now() < startedAt + delivery.atMs)
        await new Promise((r) => setTimeout(r, Math.min(1_000, startedAt + delivery.atMs - Date.now())));
      const sent: SentDelivery = { delivery, answered: [], expectedWorkflowId: expectedWorkflowId(delivery) };
      const deadline = Date.now() + GIVE_UP_MS;
      while (!stopAt() && Date.now() < deadline) {
        const req = request(delivery, `d${index}-${delivery.occurrence.id}`);
        const attempt: Attempt = { delivery: index, at: Date.now() };
        attempts.push(attempt);
        let retryInMs = 1_000;
        try {
          const res = await fetch(`${receiverUrl()}${req.path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...req.headers },
            body: req.body,
            signal: AbortSignal.timeout(15_000),
          });
          attempt.status = res.status;
          const retryAfter = res.headers.get('retry-after');
          if (retryAfter) attempt.retryAfter = retryAfter;
          const json = (await res.json().catch(() => ({}))) as { results?: Array<{ runbooks: Array<{ outcome: string; workflowId?: string }> }> };
          if (res.status !== 503) {
            sent.finalStatus = res.status;
            sent.answered = (json.results ?? []).flatMap((r) => r.runbooks.map((b) => ({ outcome: b.outcome, workflowId: b.workflowId })));
            return sent;
          }
          if (retryAfter && Number.isFinite(Number(retryAfter))) retryInMs = Number(retryAfter) * 1000;
        } catch (err) {
          attempt.error = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, retryInMs));
      }
      return sent;
    }),
  );
}
