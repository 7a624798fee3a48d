// The shapes of the governor's messages, checked before it reads them. Anyone who can reach
// Temporal can send them: everything is bounded, names are printable, unknown fields refused.
import { Validator, type Schema } from '@cfworker/json-schema';
import type { FleetPolicy, GuardRequest, PauseRequest, ReleaseRequest, ResumeRequest, RunEndedNotice } from '../../contract/guards';
import { HUMAN_LIMITS, RESERVED_NAMES } from '../human-requests';

const DAY_MS = 86_400_000;
const str = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$' });
const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
const object = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

const rate = object({ limit: int(1, 100_000), perMs: int(1, 30 * DAY_MS) }, ['limit', 'perMs']);
const breaker = object({ failures: int(1, 1000), withinMs: int(1, 30 * DAY_MS), per: { enum: ['runbook', 'key'] } }, ['failures', 'withinMs', 'per']);
const scope = { runbook: str(64), key: str(256) };

const schemas = {
  request: object(
    {
      id: str(200),
      run: str(1000),
      runId: str(100),
      runbook: str(64),
      step: str(64),
      uses: str(200),
      labels: { type: 'object', maxProperties: 8, additionalProperties: str(256) },
      claims: {
        type: 'array',
        maxItems: 4,
        items: object({ key: str(256), limit: int(1, 10_000), rate, scope: { enum: ['run', 'step'] } }, ['key', 'scope']),
      },
      onBusy: { enum: ['queue', 'skip', 'fail'] },
      maxWaitMs: int(0, 30 * DAY_MS),
      onMaxWait: { enum: ['skip', 'fail'] },
      onPaused: { enum: ['wait', 'skip', 'fail'] },
    },
    ['id', 'run', 'runId', 'runbook', 'step', 'uses', 'labels', 'claims', 'onBusy', 'onMaxWait', 'onPaused'],
  ),
  release: object({ run: str(1000), request: str(200), scope: { enum: ['run', 'step'] } }, ['run']),
  runEnded: object({ run: str(1000), runbook: str(64), key: str(256), failed: { type: 'boolean' }, reason: { type: 'string', maxLength: 500 }, breaker }, [
    'run',
    'runbook',
    'failed',
  ]),
  pause: object({ ...scope, by: str(HUMAN_LIMITS.name), reason: str(1000) }, ['by', 'reason']),
  resume: object({ ...scope, by: str(HUMAN_LIMITS.name) }, ['by']),
  policy: object(
    {
      budgets: {
        type: 'array',
        maxItems: 100,
        items: object(
          {
            name: str(64),
            match: { type: 'object', maxProperties: 8, additionalProperties: str(256) },
            limit: int(1, 1_000_000),
            perMs: int(1, 30 * DAY_MS),
            onExceeded: { enum: ['queue', 'skip', 'fail'] },
          },
          ['name', 'match', 'limit', 'perMs', 'onExceeded'],
        ),
      },
      breaker,
      watchEveryMs: int(1_000, DAY_MS),
    },
    ['budgets', 'watchEveryMs'],
  ),
};

const validators = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, new Validator(schema as Schema, '7')])) as Record<
  keyof typeof schemas,
  Validator
>;

const valid = (name: keyof typeof schemas, value: unknown) => validators[name].validate(value).valid;

export const validRequest = (v: unknown): v is GuardRequest => valid('request', v);
export const validRelease = (v: unknown): v is ReleaseRequest => valid('release', v);
export const validRunEnded = (v: unknown): v is RunEndedNotice => valid('runEnded', v);

/** A request's name: what its sender reads the outcome back by. Without a valid one it is dropped. */
export function requestName(v: unknown): string | undefined {
  const request = (v as { request?: unknown } | null)?.request;
  return typeof request === 'string' && /^[\x21-\x7e]{1,100}$/.test(request) ? request : undefined;
}

/** These throw, with the reason the governor gives the sender. */
function refuseUnless(name: keyof typeof schemas, what: string) {
  return (v: unknown) => {
    const result = validators[name].validate(v);
    if (!result.valid) throw new Error(`${what} refused: ${result.errors.at(-1)?.error ?? 'malformed'}`);
  };
}

function person(v: unknown): void {
  const by = (v as { by: string }).by.trim();
  if (RESERVED_NAMES.includes(by.toLowerCase()) || by === 'circuit-breaker') throw new Error('`by` names the engine or an alert source, not a person');
}

export function validPause(v: unknown): asserts v is PauseRequest {
  refuseUnless('pause', 'pause')(v);
  person(v);
}

export function validResume(v: unknown): asserts v is ResumeRequest {
  refuseUnless('resume', 'resume')(v);
  person(v);
}

export const validPolicy: (v: unknown) => asserts v is FleetPolicy = refuseUnless('policy', 'fleet policy');

export function validPolicyMessage(v: unknown): asserts v is { policy: FleetPolicy } {
  const keys = typeof v === 'object' && v !== null ? Object.keys(v) : [];
  if (keys.length !== 1 || keys[0] !== 'policy') throw new Error('fleet policy refused: send { policy }');
  validPolicy((v as { policy: unknown }).policy);
}
