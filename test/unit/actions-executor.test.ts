// What every action activity does around the action: secrets in, secrets out, input checked
// against the action's schema at run time, and results kept small for history.
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Type } from '@sinclair/typebox';
import { defineAction } from '../../activities/action';
import { executeAction } from '../../activities/run-action';
import { redactSecrets } from '../../activities/secrets';
import { truncationMarker } from '../../activities/truncate';
import type { ActionRequest } from '../../contract/activities';
import type { SecretSite } from '../../dsl/secrets';

const echo = defineAction({
  name: 'test.echo',
  description: 'echoes',
  input: Type.Object({ text: Type.String(), count: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
  output: Type.Object({ text: Type.String() }),
  idempotent: true,
  effect: 'read',
  async run(input) {
    if (input.text.includes('boom')) throw new Error(`cannot handle ${input.text}`);
    if (input.text.includes('cancel')) throw new CancelledFailure(`\`curl -H ${input.text}\` was cancelled`);
    return { text: input.text.repeat(input.count ?? 1) };
  },
});

/** What the action was really given, seen from inside. */
let seen: string[] = [];
const spy = defineAction({
  name: 'test.spy',
  description: 'records its input',
  input: Type.Object({ header: Type.String(), note: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ header: Type.String(), note: Type.String() }),
  idempotent: true,
  effect: 'read',
  async run(input) {
    seen = [input.header, input.note];
    return input;
  },
});

// Failures are the point of several tests here; the environment's own warnings about them are noise.
const activityEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

const request = (withValue: Record<string, unknown>, secrets: ActionRequest['secrets'] = {}, secretSites: SecretSite[] = []): ActionRequest => ({
  runbook: 'r',
  stepId: 's',
  with: withValue,
  secrets,
  secretSites,
});
const TOKEN = { token: { env: 'TEST_TOKEN' } };
const tokenIn = (path: string, before: string): SecretSite => ({ path: [path], parts: [before, { secret: 'token' }] });

beforeEach(() => {
  process.env.TEST_TOKEN = 's3cr3t-value';
});

it('puts a secret exactly where the workflow recorded a reference, and takes it out of the outputs', async () => {
  const result = await activityEnvironment().run(
    executeAction,
    spy,
    request({ header: 'Bearer ⟦secret:token⟧', note: 'hi' }, TOKEN, [tokenIn('header', 'Bearer ')]),
  );
  expect(seen).toEqual(['Bearer s3cr3t-value', 'hi']);
  expect(result).toEqual({ header: 'Bearer ⟦secret:token⟧', note: 'hi' });
});

it('leaves placeholder text that arrives as data inert (H1)', async () => {
  // An alert annotation (or a model's fill, a comment, a command's output) that contains the placeholder.
  await activityEnvironment().run(
    executeAction,
    spy,
    request({ header: 'Bearer ⟦secret:token⟧', note: 'from the alert: ⟦secret:token⟧' }, TOKEN, [tokenIn('header', 'Bearer ')]),
  );
  expect(seen).toEqual(['Bearer s3cr3t-value', 'from the alert: ⟦secret:token⟧']);
  // Without a recorded site, nothing is resolved at all.
  await activityEnvironment().run(executeAction, spy, request({ header: '⟦secret:token⟧', note: '⟦secret:token⟧' }, TOKEN));
  expect(seen.join()).not.toContain('s3cr3t-value');
});

it('keeps secret values out of error messages, cancellations included (L7)', async () => {
  const error = (await activityEnvironment()
    .run(executeAction, echo, request({ text: 'boom ⟦secret:token⟧' }, TOKEN, [tokenIn('text', 'boom ')]))
    .catch((e: unknown) => e)) as Error;
  expect(error.message).toBe('cannot handle boom ⟦secret:token⟧');
  expect(JSON.stringify(error)).not.toContain('s3cr3t-value');
  const cancelled = (await activityEnvironment()
    .run(executeAction, echo, request({ text: 'cancel ⟦secret:token⟧' }, TOKEN, [tokenIn('text', 'cancel ')]))
    .catch((e: unknown) => e)) as Error;
  expect(cancelled).toBeInstanceOf(CancelledFailure);
  expect(cancelled.message).toBe('`curl -H cancel ⟦secret:token⟧` was cancelled');
});

it('masks the pieces of a secret that truncation cut in two (L7)', () => {
  const secrets = new Map([['token', 's3cr3t-value']]);
  const cut = `lots of output ... Authorization: s3cr3t${truncationMarker('9000 bytes truncated')}-value and more`;
  expect(redactSecrets({ stdout: cut }, secrets)).toEqual({
    stdout: `lots of output ... Authorization: ⟦secret:token⟧${truncationMarker('9000 bytes truncated')}⟦secret:token⟧ and more`,
  });
  const startCut = `${truncationMarker('1 bytes truncated')}cr3t-value tail`;
  expect(redactSecrets(startCut, secrets)).toBe(`${truncationMarker('1 bytes truncated')}⟦secret:token⟧ tail`);
});

it('fails without retry when a secret is missing on the worker', async () => {
  await expect(
    activityEnvironment().run(
      executeAction,
      echo,
      request({ text: '⟦secret:x⟧' }, { x: { env: 'NOT_SET_ANYWHERE' } }, [{ path: ['text'], parts: [{ secret: 'x' }] }]),
    ),
  ).rejects.toMatchObject({
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
