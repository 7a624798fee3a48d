// Which model errors are worth retrying. Temporal retries (the SDK's own retries are off, so
// every attempt is in history): overload, rate limits, server errors, timeouts and lost
// connections. A request the API rejects (400, 401, 403, 404, 413) never succeeds: the step
// goes straight to a human.
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';

const FINAL_STATUSES = [400, 401, 403, 404, 413, 422];

export function classifyModelError(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Anthropic.APIConnectionTimeoutError) return ApplicationFailure.create({ type: 'ModelTimeout', message: 'Claude did not answer in time' });
  if (err instanceof Anthropic.APIConnectionError)
    return ApplicationFailure.create({ type: 'ModelUnreachable', message: `cannot reach Claude: ${err.message}` });
  if (err instanceof Anthropic.APIError) {
    const detail = `${err.status ?? 'stream'} ${err.type ?? ''}: ${apiMessage(err)}`.replace(/\s+/g, ' ').trim();
    if (err.status !== undefined && FINAL_STATUSES.includes(err.status)) {
      return ApplicationFailure.create({ type: 'ModelRequestRejected', message: `Claude refused the request: ${detail}`, nonRetryable: true });
    }
    const retryAfter = Number(err.headers?.get?.('retry-after'));
    return ApplicationFailure.create({
      type: err.status === 429 ? 'ModelRateLimited' : 'ModelUnavailable',
      message: `Claude is unavailable: ${detail}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 && { nextRetryDelay: retryAfter * 1000 }),
    });
  }
  return ApplicationFailure.create({ type: 'ModelUnavailable', message: `Claude call failed: ${err instanceof Error ? err.message : String(err)}` });
}

function apiMessage(err: InstanceType<typeof Anthropic.APIError>): string {
  const body = err.error as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? err.message;
}
