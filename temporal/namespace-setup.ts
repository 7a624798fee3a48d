// Creates the namespace runs live in, on a cluster of our own (`runbook setup`): the dev server
// creates `default` itself, a PostgreSQL-backed cluster starts with none. Idempotent.
// Temporal Cloud creates namespaces in its own UI/tcld instead; see docs/operations.md.
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { retryUntil } from './retry-until';
import { registerSearchAttributes } from './search-attribute-setup';

// gRPC status codes (fixed by the gRPC protocol).
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

/** How long a closed run's history stays readable (replay, reports, audit) unless said otherwise. */
export const DEFAULT_RETENTION_DAYS = 30;

/** Registers `namespace` when it does not exist; says whether it did. */
export async function ensureNamespace(client: Client, namespace: string, retentionDays = DEFAULT_RETENTION_DAYS): Promise<boolean> {
  try {
    await client.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if (!(isGrpcServiceError(err) && err.code === NOT_FOUND)) throw err;
  }
  try {
    await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
    return true;
  } catch (err) {
    // Another `runbook setup` created it meanwhile.
    if (isGrpcServiceError(err) && err.code === ALREADY_EXISTS) return false;
    throw err;
  }
}

/** How long a namespace just created may take to reach the frontend's caches. */
const NEW_NAMESPACE_SETTLE_MS = 30_000;

/**
 * What `runbook setup` does: the namespace, then the search attributes, each retried until
 * `deadline` (a server still starting). Returns what it did, in words.
 */
export async function prepareNamespace(client: Client, namespace: string, retentionDays = DEFAULT_RETENTION_DAYS, deadline = Date.now()): Promise<string[]> {
  const created = await retryUntil(deadline, () => ensureNamespace(client, namespace, retentionDays));
  // Registering attributes on a namespace created a moment ago fails until the caches know it.
  const added = await retryUntil(created ? Math.max(deadline, Date.now() + NEW_NAMESPACE_SETTLE_MS) : deadline, () =>
    registerSearchAttributes(client, namespace),
  );
  return [
    ...(created ? [`created namespace ${namespace} (retention ${retentionDays} days)`] : []),
    added.length ? `registered ${added.join(', ')} in ${namespace}` : `search attributes already registered in ${namespace}`,
  ];
}
