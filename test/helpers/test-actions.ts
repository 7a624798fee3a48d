// An action for interpreter tests: it records each call in this process, can fail its first
// attempts, can run for a while (cancellably), and echoes a value.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Type } from '@sinclair/typebox';
import { defineAction, type AnyAction } from '../../activities/action';

export interface ProbeCall {
  name: string;
  attempt: number;
  at: number;
  outcome?: 'done' | 'failed' | 'cancelled';
}

export const probeCalls: ProbeCall[] = [];
const inFlight = new Map<string, number>();
/** Most calls of a group that were running at the same time. */
export const groupPeak = new Map<string, number>();

export const probe = defineAction({
  name: 'test.probe',
  description: 'Test action: records its call, may fail or sleep, echoes `value`.',
  input: Type.Object(
    {
      name: Type.String(),
      value: Type.Optional(Type.Unknown()),
      failAttempts: Type.Optional(Type.Integer({ minimum: 0 })),
      alwaysFail: Type.Optional(Type.Boolean()),
      sleepMs: Type.Optional(Type.Integer({ minimum: 0 })),
      group: Type.Optional(Type.String({ description: 'Calls of a group count towards its concurrency peak.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object(
    { name: Type.String(), value: Type.Optional(Type.Unknown()), attempt: Type.Integer(), calls: Type.Integer() },
    { additionalProperties: false },
  ),
  idempotent: true,
  effect: 'read',
  async run(input) {
    const attempt = Context.current().info.attempt;
    const call: ProbeCall = { name: input.name, attempt, at: Date.now() };
    probeCalls.push(call);
    const group = input.group;
    if (group) {
      inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
      groupPeak.set(group, Math.max(groupPeak.get(group) ?? 0, inFlight.get(group)!));
    }
    try {
      if (input.sleepMs) await Context.current().sleep(input.sleepMs);
    } catch (err) {
      call.outcome = 'cancelled';
      throw err;
    } finally {
      if (group) inFlight.set(group, inFlight.get(group)! - 1);
    }
    if (input.alwaysFail || attempt <= (input.failAttempts ?? 0)) {
      call.outcome = 'failed';
      throw ApplicationFailure.create({ type: 'ProbeFailed', message: `probe ${input.name} failed on attempt ${attempt}` });
    }
    call.outcome = 'done';
    return { name: input.name, attempt, calls: callsOf(input.name).length, ...(input.value !== undefined && { value: input.value }) };
  },
});

/** The same probe as a write: fleet guards, budgets and pauses apply to it. */
export const writeProbe = {
  ...probe,
  name: 'test.write',
  description: 'Test action: the probe, declared a write.',
  idempotent: false,
  effect: 'write' as const,
};

export const TEST_ACTIONS: readonly AnyAction[] = [probe, writeProbe];

export function callsOf(name: string): ProbeCall[] {
  return probeCalls.filter((c) => c.name === name);
}
