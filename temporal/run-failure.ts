// What a client learns from a run that failed: the reason in words, and the details the
// workflow attaches (the path it took, the undos that ran).
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunFailureDetails } from '../contract/run';

export function failureReason(err: unknown): string {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause as { message?: string } | undefined;
    return cause?.message ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The details a failed run attached (workflows/runbook-workflow.ts), or undefined (terminated, refused input, older runs). */
export function runFailureDetails(err: unknown): RunFailureDetails | undefined {
  const details = err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure ? err.cause.details?.[0] : undefined;
  const shaped = (value: unknown): value is RunFailureDetails =>
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as RunFailureDetails).trail) &&
    Array.isArray((value as RunFailureDetails).compensations);
  return shaped(details) ? details : undefined;
}
