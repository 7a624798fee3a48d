// Sending the governor a person's or a worker's request (a pause, a resume, the fleet policy) and
// reading back what became of it. Requests are signals (contract/guards.ts): signal-with-start
// starts the governor when none runs, and the sender reads the outcome by the request's name.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/workflow';
import { policySignal, requestQuery, type FleetPolicy, type RequestOutcome, type Sent } from '../../contract/guards';
import { governorStart } from './activities';
import { governorHealedLine, healGovernor } from './doctor';

/** The governor refused the request: the reason is its own (a malformed pause, an impersonated name). */
export class GovernorRefusal extends Error {}

export interface GovernorRequestOptions {
  /** The policy a governor started by this request starts with. */
  policy: FleetPolicy;
  fleet?: string;
  /** How long to wait for the governor to take the request. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export async function askGovernor<T extends object>(
  client: Client,
  taskQueue: string,
  signal: SignalDefinition<[Sent<T>]>,
  body: T,
  { policy, fleet = taskQueue, timeoutMs = DEFAULT_TIMEOUT_MS }: GovernorRequestOptions,
): Promise<Exclude<RequestOutcome, { refused: string }>> {
  const request = randomUUID();
  const handle = await client.workflow.signalWithStart(governorStart.type, {
    ...governorStart.options(taskQueue, fleet, policy),
    signal,
    signalArgs: [{ ...body, request }],
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let pause = 100; Date.now() < deadline; pause = Math.min(pause * 2, 1_000)) {
    try {
      const settled = await handle.query(requestQuery, request);
      if (settled) {
        const { request: _, at: __, ...outcome } = settled;
        if ('refused' in outcome) throw new GovernorRefusal(outcome.refused);
        return outcome;
      }
    } catch (err) {
      if (err instanceof GovernorRefusal) throw err;
      // A governor busy or restarting answers later: ask again until the deadline.
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, pause));
  }
  const why = lastError instanceof Error ? ` (last answer: ${lastError.message})` : '';
  throw new Error(
    `the fleet governor ${handle.workflowId} did not take request ${request} within ${Math.round(timeoutMs / 1000)} s${why}: ` +
      'it is recorded and applies when the governor runs again; `runbook guards` shows what is in force',
  );
}

/**
 * A worker starting installs its fleet policy: the latest start wins. A governor that cannot take
 * it because its history no longer replays is healed (doctor.ts) and asked again, once.
 */
export async function installFleetPolicy(client: Client, taskQueue: string, policy: FleetPolicy, say: (line: string) => void): Promise<void> {
  try {
    await askGovernor(client, taskQueue, policySignal, { policy }, { policy });
  } catch (err) {
    if (err instanceof GovernorRefusal) throw err;
    const healed = await healGovernor(client, taskQueue);
    if (!healed) throw err;
    say(governorHealedLine(taskQueue, healed));
    await askGovernor(client, taskQueue, policySignal, { policy }, { policy });
  }
}
