// The shape of what people send (approve, reject, decide), checked before anything reads it.
// Anyone who can reach Temporal can send these, so every field is bounded, names are plain
// text, names that the engine itself uses are reserved, and a refusal never echoes the input.
import { format as jsonSchemaFormats, Validator } from '@cfworker/json-schema';
import { canonicalJson } from '../dsl/hash';
import { regExp } from '../dsl/regex';
import { mapSubschemas } from '../dsl/schema-walk';
import { valueAt } from '../dsl/values';
import type { ApproveRequest, DecideRequest, RejectRequest, SignedFields } from '../contract/messages';

export const HUMAN_LIMITS = {
  /** A person's name as the people and groups files spell it. */
  name: 256,
  /** A comment or a rejection reason. */
  text: 4_096,
  step: 64,
  choice: 64,
  /** The JSON of a fill step's values. */
  valuesChars: 16_384,
  /** An armored SSH signature: ed25519 takes about 300 characters, a P-521 key 500. */
  signature: 4_096,
  expires: 40,
};

/** Names the engine records for itself: a person may not claim them (`by: alertmanager` is not a person). */
export const RESERVED_NAMES: readonly string[] = ['alertmanager', 'grafana', 'pagerduty', 'webhook', 'manual', 'claude', 'nobody'];

// Printable text only: no control characters, so names and comments cannot forge lines in logs or reports.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** Thrown for a request the run will not act on; the message is safe to show and to record. */
export class Refused extends Error {}

type Raw = Record<string, unknown>;

function text(req: Raw, name: string, max: number, required: boolean, multiline = false): string | undefined {
  const v = req[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new Refused(`\`${name}\` must be a non-empty string`);
  if (v.length > max) throw new Refused(`\`${name}\` is longer than ${max} characters`);
  const value = v.trim();
  const bad = multiline ? CONTROL.test(value.replace(/[\n\t]/g, '')) : CONTROL.test(value) || /[\n\t]/.test(value);
  if (bad) throw new Refused(`\`${name}\` contains control characters`);
  return value;
}

function person(req: Raw): string {
  const by = text(req, 'by', HUMAN_LIMITS.name, true)!;
  if (RESERVED_NAMES.includes(by.toLowerCase())) throw new Refused('`by` names the engine or an alert source, not a person');
  return by;
}

function stepOf(req: Raw): string {
  return text(req, 'step', HUMAN_LIMITS.step, true)!;
}

/**
 * Why a request is too big to keep, or undefined. Updates that are too big are refused by the
 * update validator, before Temporal accepts them, so they never enter history; everything else,
 * malformed or not, is accepted, refused by the run and recorded.
 */
export function oversized(req: Raw): string | undefined {
  const limits: Record<string, number> = {
    step: HUMAN_LIMITS.step,
    by: HUMAN_LIMITS.name,
    choice: HUMAN_LIMITS.choice,
    planHash: 64,
    comment: HUMAN_LIMITS.text,
    reason: HUMAN_LIMITS.text,
    signature: HUMAN_LIMITS.signature,
    expires: HUMAN_LIMITS.expires,
    slackUser: 32,
  };
  for (const [field, max] of Object.entries(limits)) {
    const v = req[field];
    if (typeof v === 'string' && v.length > max) return `\`${field}\` is longer than ${max} characters`;
  }
  if (req.values !== undefined && canonicalJson(req.values).length > HUMAN_LIMITS.valuesChars)
    return `\`values\` is larger than ${HUMAN_LIMITS.valuesChars} characters of JSON`;
  const known = new Set([...Object.keys(limits), 'values']);
  const extra = Object.keys(req).filter((k) => !known.has(k));
  if (extra.length > 0 && canonicalJson(Object.fromEntries(extra.map((k) => [k, req[k]]))).length > HUMAN_LIMITS.text)
    return 'the request carries more than its fields allow';
  return undefined;
}

/** `expires` and `signature`, both or neither; what they say is checked by the run against the wait it answers. */
function signedFields(req: Raw): SignedFields {
  if (req.signature === undefined && req.expires === undefined) return {};
  if (req.signature === undefined || req.expires === undefined) throw new Refused('a signed answer needs both `expires` and `signature`');
  const signature = text(req, 'signature', HUMAN_LIMITS.signature, true, true)!;
  const expires = text(req, 'expires', HUMAN_LIMITS.expires, true)!;
  if (!ISO_TIME.test(expires) || Number.isNaN(Date.parse(expires))) throw new Refused('`expires` must be an ISO time such as 2026-11-30T12:00:00Z');
  return { signature, expires };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function validApprove(req: Raw): ApproveRequest {
  const step = stepOf(req);
  // Any other text is simply a plan that is not waiting: the run refuses it as stale.
  const planHash = text(req, 'planHash', 64, true)!;
  const by = person(req);
  const comment = text(req, 'comment', HUMAN_LIMITS.text, false, true);
  return { step, planHash, by, ...(comment && { comment }), ...signedFields(req) };
}

export function validReject(req: Raw): RejectRequest {
  return { step: stepOf(req), by: person(req), reason: text(req, 'reason', HUMAN_LIMITS.text, true, true)!, ...signedFields(req) };
}

export function validDecide(req: Raw): DecideRequest {
  const step = stepOf(req);
  const by = person(req);
  const comment = text(req, 'comment', HUMAN_LIMITS.text, false, true);
  const choice = text(req, 'choice', HUMAN_LIMITS.choice, false);
  let values: Record<string, unknown> | undefined;
  if (req.values !== undefined) {
    if (req.values === null || typeof req.values !== 'object' || Array.isArray(req.values))
      throw new Refused('`values` must be an object that satisfies the step schema');
    if (canonicalJson(req.values).length > HUMAN_LIMITS.valuesChars)
      throw new Refused(`\`values\` is larger than ${HUMAN_LIMITS.valuesChars} characters of JSON`);
    values = req.values as Record<string, unknown>;
  }
  return { step, by, ...(choice !== undefined && { choice }), ...(values && { values }), ...(comment && { comment }), ...signedFields(req) };
}

/** Why `values` do not satisfy a fill step's schema, or undefined. */
export function fillValuesProblem(schema: Record<string, unknown>, values: Record<string, unknown>): string | undefined {
  const faults = schemaFaults(schema, values);
  return faults && `\`values\` do not satisfy the schema: ${faults.map((f) => `${f.at}: ${f.constraint}`).join('; ')}`;
}

/**
 * Where and how a value from outside (a person's fill, a model's tool arguments) breaks a
 * schema: the location and the constraint as the schema states it, never the value; undefined
 * when it fits. `pattern` keywords run on RE2 through a registered format, because the
 * validator's own RegExp would backtrack on a careless pattern.
 */
export function schemaFaults(schema: Record<string, unknown>, value: unknown): Array<{ at: string; constraint: string }> | undefined {
  const checked = withRe2Patterns(schema) as Record<string, unknown>;
  const result = new Validator(checked, '7', false).validate(value);
  if (result.valid) return undefined;
  const faults = result.errors
    .filter((e) => !['properties', 'allOf', 'items'].includes(e.keyword))
    .map((e) => ({ at: e.instanceLocation, constraint: constraintOf(checked, e.keywordLocation) }));
  return faults.filter((f, i) => faults.findIndex((g) => g.at === f.at && g.constraint === f.constraint) === i);
}

/** The failed constraint as the schema states it (`maximum` 20), from the schema, never from the value. */
function constraintOf(schema: Record<string, unknown>, keywordLocation: string): string {
  const path = keywordLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const value = valueAt(schema, path);
  const keyword = path[path.length - 1] ?? 'schema';
  if (keyword === 'format' && typeof value === 'string' && value.startsWith(RE2_FORMAT)) return `\`pattern\` ${value.slice(RE2_FORMAT.length)}`;
  return value === undefined ? `\`${keyword}\`` : `\`${keyword}\` ${JSON.stringify(value)}`;
}

const RE2_FORMAT = 're2:';

function withRe2Patterns(schema: Record<string, unknown>): unknown {
  return mapSubschemas(schema, (s) => {
    if (typeof s.pattern !== 'string') return s;
    const { pattern, ...rest } = s;
    const name = `${RE2_FORMAT}${pattern}`;
    // The validator's format table is shared and keyed by name; registering the same pattern twice is harmless.
    jsonSchemaFormats[name] ??= (value: string) => regExp(pattern as string).test(value);
    return rest.format === undefined ? { ...rest, format: name } : { ...rest, allOf: [...((rest.allOf as unknown[]) ?? []), { format: name }] };
  });
}
