// One delivery from an alert source, end to end but for HTTP: authenticate, parse, drop a
// delivery seen before, route each alert, validate its inputs, start (or signal) remediations.
// The only slow work is the start calls, run concurrently under a deadline.
import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { resolveInputs } from '../dsl/inputs';
import { ADAPTERS, type HttpAlertSource } from './adapters';
import { authenticate, type SourceAuthConfig } from './auth';
import { matchingRunbooks } from './match';
import type { ReceiverMetrics } from './metrics';
import { RecentIds } from './recent-ids';
import type { IncomingRequest } from './request';
import { signalResolved, startRemediation } from './start-remediation';
import { runUrl } from '../contract/urls';

export interface IngestDeps {
  client: Client;
  taskQueue: string;
  auth: SourceAuthConfig;
  runbooks: () => readonly CompiledRunbook[];
  metrics: ReceiverMetrics;
  deliveries: RecentIds;
  log: (entry: Record<string, unknown>) => void;
}

export interface RunbookResult {
  runbook: string;
  outcome: 'started' | 'duplicate' | 'resolved-signalled' | 'no-run' | 'refused';
  workflowId?: string;
  /** The run's page in the Temporal Web UI (RUNBOOK_UI_URL), the id encoded: alert ids hold `/` and `@`. */
  url?: string;
  reason?: string;
}

export interface AlertResult {
  name: string;
  fingerprint: string;
  status: Alert['status'];
  outcome: 'routed' | 'unmatched';
  runbooks: RunbookResult[];
}

export interface IngestReply {
  status: number;
  body: { error?: string; reason?: string; received?: number; ignored?: string; duplicateDelivery?: boolean; results?: AlertResult[] };
}

export class TemporalUnavailable extends Error {}

// gRPC status codes that say Temporal refused this start for what it carries: sending it again cannot help.
const INVALID_ARGUMENT = 3;
const FAILED_PRECONDITION = 9;
const OUT_OF_RANGE = 11;

/** The reason Temporal refused a start for its content, or undefined when Temporal could not be reached (or failed). */
function refusedByTemporal(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown })?.cause;
  const grpc = isGrpcServiceError(err) ? err : isGrpcServiceError(cause) ? cause : undefined;
  if (!grpc || ![INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE].includes(grpc.code)) return undefined;
  return grpc.details || grpc.message;
}

export async function ingest(deps: IngestDeps, source: HttpAlertSource, req: IncomingRequest): Promise<IngestReply> {
  const auth = authenticate(source, deps.auth, req);
  if (!auth.ok) {
    // The reason (which source is configured, what was wrong) is for the operator's log, not the caller.
    deps.metrics.rejected.inc({ source, reason: 'auth' });
    deps.log({ msg: 'delivery refused: not authenticated', source, reason: auth.reason });
    return { status: 401, body: { error: 'unauthenticated' } };
  }
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch (err) {
    deps.metrics.rejected.inc({ source, reason: 'json' });
    return { status: 400, body: { error: 'malformed JSON', reason: (err as Error).message } };
  }
  const parsed = ADAPTERS[source](body, req);
  if (!parsed.ok) {
    deps.metrics.rejected.inc({ source, reason: 'payload' });
    return { status: parsed.status, body: { error: 'invalid payload', reason: parsed.reason } };
  }
  if (parsed.deliveryId !== undefined && deps.deliveries.seen(`${source}:${parsed.deliveryId}`)) {
    return { status: 202, body: { received: parsed.alerts.length, duplicateDelivery: true } };
  }
  if (parsed.ignored) return { status: 202, body: { received: 0, ignored: parsed.ignored } };

  const results = await Promise.all(parsed.alerts.map((alert) => route(deps, alert)));
  if (parsed.deliveryId !== undefined) deps.deliveries.remember(`${source}:${parsed.deliveryId}`);
  const refused = results.some((r) => r.runbooks.some((b) => b.outcome === 'refused'));
  return { status: refused ? 422 : 202, body: { received: results.length, results } };
}

async function route(deps: IngestDeps, alert: Alert): Promise<AlertResult> {
  deps.metrics.alerts.inc({ source: alert.source, status: alert.status });
  const matched = matchingRunbooks(deps.runbooks(), alert);
  const base = { name: alert.name, fingerprint: alert.fingerprint, status: alert.status };
  if (matched.length === 0) {
    deps.metrics.unmatched.inc({ source: alert.source });
    deps.log({ msg: 'alert matched no runbook', source: alert.source, alert: alert.name, fingerprint: alert.fingerprint, labels: alert.labels });
    return { ...base, outcome: 'unmatched', runbooks: [] };
  }
  const runbooks = await Promise.all(matched.map((runbook) => routeTo(deps, runbook, alert)));
  return { ...base, outcome: 'routed', runbooks };
}

async function routeTo(deps: IngestDeps, runbook: CompiledRunbook, alert: Alert): Promise<RunbookResult> {
  let result: RunbookResult;
  try {
    if (alert.status === 'resolved') {
      result = { runbook: runbook.name, ...(await signalResolved(deps.client, runbook, alert)) };
    } else {
      const { values, problems } = resolveInputs(runbook.inputs, {}, alert);
      if (problems.length > 0) {
        result = { runbook: runbook.name, outcome: 'refused', reason: problems.join('; ') };
        deps.log({ msg: 'alert refused by runbook inputs', runbook: runbook.name, fingerprint: alert.fingerprint, reason: result.reason });
      } else {
        result = { runbook: runbook.name, ...(await startRemediation(deps.client, deps.taskQueue, runbook, alert, values)) };
      }
    }
  } catch (err) {
    const refusal = refusedByTemporal(err);
    // Only Temporal being unreachable is a 503 (the sender retries); a start Temporal refuses is a 4xx.
    if (refusal === undefined) throw new TemporalUnavailable(`could not start or signal ${runbook.name}: ${(err as Error).message}`);
    result = { runbook: runbook.name, outcome: 'refused', reason: `Temporal refused the remediation: ${refusal}` };
    deps.log({ msg: 'remediation refused by Temporal', runbook: runbook.name, fingerprint: alert.fingerprint, reason: refusal });
  }
  deps.metrics.outcomes.inc({ runbook: runbook.name, outcome: result.outcome });
  return result.workflowId ? { ...result, url: runUrl(deps.client.options.namespace, result.workflowId) } : result;
}
