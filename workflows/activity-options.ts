// How a step's activity is scheduled (actions, compensations, asking Claude): the step's timeout
// and retry policy, and a heartbeat timeout so that a dead worker is noticed.
import type { ActivityOptions } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import { ACTIVITY_HEARTBEAT_TIMEOUT_MS } from '../contract/activities';
import type { RetryPolicyJson } from '../dsl/compiled-base';

export function stepActivityOptions(timeoutMs: number, retry: RetryPolicyJson, summary: string): ActivityOptions {
  return {
    startToCloseTimeout: timeoutMs,
    heartbeatTimeout: Math.min(ACTIVITY_HEARTBEAT_TIMEOUT_MS, timeoutMs),
    retry: retryPolicy(retry),
    summary,
  };
}

function retryPolicy(p: RetryPolicyJson): RetryPolicy {
  return {
    maximumAttempts: p.maximumAttempts,
    initialInterval: p.initialIntervalMs,
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: p.maximumIntervalMs,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  };
}
