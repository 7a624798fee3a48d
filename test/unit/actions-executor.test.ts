// What every action activity does around the action: secrets in, secrets out, input checked
// against the action's schema at run time, and results kept small for history.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Type } from '@sinclair/typebox';
import { defineAction } from '../../activities/action';
import { executeAction } from '../../activities/run-action';
import type { ActionRequest } from '../../activities/types';

const echo = defineAction({
  name: 'test.echo',
  description: 'echoes',
  input: Type.Object({ text: Type.String(), count: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
  output: Type.Object({ text: Type.String() }),
  idempotent: true,
  async run(input) {
    if (input.text.includes('boom')) throw new Error(`cannot handle ${input.text}`);
    return { text: input.text.repeat(input.count ?? 1) };
  },
});

// Failures are the point of several tests here; the environment's own warnings about them are noise.
const activityEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

const request = (withValue: Record<string, unknown>, secrets: ActionRequest['secrets'] = {}): ActionRequest => ({ runbook: 'r', stepId: 's', with: withValue, secrets });

beforeEach(() => {
  process.env.TEST_TOKEN = 's3cr3t-value';
});

it('swaps secret tokens for values going in, and values for tokens coming out', async () => {
  const result = await activityEnvironment().run(executeAction, echo, request({ text: 'token=⟦secret:token⟧' }, { token: { env: 'TEST_TOKEN' } }));
  expect(result).toEqual({ text: 'token=⟦secret:token⟧' });
});

it('keeps secret values out of error messages', async () => {
  const error = (await activityEnvironment().run(executeAction, echo, request({ text: 'boom ⟦secret:token⟧' }, { token: { env: 'TEST_TOKEN' } })).catch((e: unknown) => e)) as Error;
  expect(error.message).toBe('cannot handle boom ⟦secret:token⟧');
  expect(JSON.stringify(error)).not.toContain('s3cr3t-value');
});

it('fails without retry when a secret is missing on the worker', async () => {
  await expect(activityEnvironment().run(executeAction, echo, request({ text: '⟦secret:x⟧' }, { x: { env: 'NOT_SET_ANYWHERE' } }))).rejects.toMatchObject({
    type: 'SecretMissing',
    nonRetryable: true,
    message: 'secret `x`: environment variable NOT_SET_ANYWHERE is not set on the worker',
  });
});

it('checks rendered input against the action schema before running it', async () => {
  await expect(activityEnvironment().run(executeAction, echo, request({ text: 'a', count: 'three', extra: 1 }))).rejects.toMatchObject({
    type: 'InvalidInput',
    nonRetryable: true,
    message: 'step `s` (test.echo): `with` must NOT have additional properties; `with.count` must be integer',
  });
});

it('caps a result that would bloat history', async () => {
  const result = (await activityEnvironment().run(executeAction, echo, request({ text: 'x'.repeat(1000), count: 200 }))) as unknown as { text: string };
  expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(64 * 1024);
  expect(result.text).toMatch(/…\[\d+ bytes truncated\]…/);
});
