// The engine's own metrics, defined once: the workflow records through the SDK's workflow metric
// meter (which drops what a replay would count again), the activities through theirs, and both
// reach the worker's Prometheus endpoint beside the SDK's own metrics. The alert rules and the
// dashboard in config/observability/ read these names; docs/observability.md lists them.

export interface MetricDefinition {
  /** As exported (the runtime's `temporal_` prefix applies to the SDK's own metrics only); counters get `_total`. */
  name: string;
  kind: 'counter' | 'histogram';
  description: string;
  labels: readonly string[];
}

const counter = (name: string, description: string, labels: readonly string[]): MetricDefinition => ({ name, kind: 'counter', description, labels });
const histogram = (name: string, description: string, labels: readonly string[]): MetricDefinition => ({ name, kind: 'histogram', description, labels });

export const METRICS = {
  runsStarted: counter('runbook_runs_started', 'Runs that started their first step (continuations are not counted again)', ['runbook']),
  runsEnded: counter('runbook_runs_ended', 'Runs that ended, by outcome: succeeded, failed, cancelled', ['runbook', 'outcome']),
  stepSeconds: histogram(
    'runbook_step_seconds',
    'How long a step took, by kind, action and outcome; `uses` steps (kind `action`) and undos (kind `undo`) per attempt',
    ['runbook', 'kind', 'action', 'outcome'],
  ),
  humanRequests: counter('runbook_human_requests', 'Approvals and decisions asked of people', ['runbook', 'request']),
  humanSettled: counter('runbook_human_settled', 'Approvals and decisions no longer waiting, by how: answered, timed-out, ended', [
    'runbook',
    'request',
    'how',
  ]),
  humanWaitSeconds: histogram('runbook_human_wait_seconds', 'How long people took to answer (or the wait lasted)', ['runbook', 'request', 'how']),
  compensations: counter('runbook_compensations', 'Undos run, by outcome', ['runbook', 'outcome']),
  guardWaits: counter('runbook_guard_waits', 'Write steps that waited for a fleet guard, by how the wait ended', ['runbook', 'how']),
  guardWaitSeconds: histogram('runbook_guard_wait_seconds', 'How long write steps waited for a fleet guard', ['runbook', 'how']),
  modelCalls: counter('runbook_model_calls', 'Calls of the model, by model and outcome: answer, invalid, error', ['model', 'outcome']),
  modelTokens: counter('runbook_model_tokens', 'Tokens used, by model and type: input, output, cache_read, cache_write', ['model', 'type']),
  modelSeconds: histogram('runbook_model_seconds', 'How long the model took to answer one question (corrections included)', ['model', 'outcome']),
} as const satisfies Record<string, MetricDefinition>;

/** Bucket bounds, in seconds, for the histograms above (Prometheus's defaults suit none of them). */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRICS.stepSeconds.name]: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  [METRICS.humanWaitSeconds.name]: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
  [METRICS.guardWaitSeconds.name]: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
  [METRICS.modelSeconds.name]: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
};
