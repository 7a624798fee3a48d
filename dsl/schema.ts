// The runbook language, defined once. TypeScript types come from `Static<>` and
// `runbooks/runbook.schema.json` is generated from these values (scripts/gen-schema.ts),
// so editors, the validator and the compiler can never disagree about the shape. A step is the
// keys every step has (dsl/schema-parts.ts) plus the keys of each kind (dsl/kinds/).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConcurrencySchema } from './guard';
import { KIND_LIST } from './kinds';
import { commonStepFields, doc, Duration, RetrySchema, RUNBOOK_NAME_PATTERN, STEP_ID_PATTERN } from './schema-parts';

const Matchers = (description: string) => Type.Record(Type.String(), Type.String(), { description });
export const TriggerSchema = Type.Object(
  {
    source: Type.Union(
      [Type.Literal('alertmanager'), Type.Literal('grafana'), Type.Literal('pagerduty'), Type.Literal('webhook')],
      doc('The alerting system that sends the alert.'),
    ),
    match: Type.Optional(Matchers('Label values that must be equal (alert labels; `alertname` included).')),
    matchRe: Type.Optional(Matchers('Label values that must fully match a regular expression.')),
  },
  { additionalProperties: false, ...doc('An alert that starts this runbook.') },
);

const InputType = Type.Union(
  ['string', 'integer', 'number', 'boolean', 'enum', 'list'].map((t) => Type.Literal(t)),
  doc('The value type.'),
);
export const InputSchema = Type.Object(
  {
    type: InputType,
    description: Type.Optional(Type.String({ description: 'What the input means; shown by `runbook run --help` and in the UI.' })),
    default: Type.Optional(Type.Unknown(doc('Used when the input is neither given nor found in the alert.'))),
    from: Type.Optional(Type.String({ pattern: '^alert\\.', ...doc('An alert field, e.g. `alert.labels.service`.') })),
    pattern: Type.Optional(
      Type.String(doc('A regular expression the value must contain a match of (as in JSON Schema); anchor it with ^ and $ to match the whole value.')),
    ),
    minLength: Type.Optional(Type.Integer({ minimum: 0 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 0 })),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    values: Type.Optional(Type.Array(Type.String(), { minItems: 1, ...doc('The allowed values of an `enum`.') })),
    items: Type.Optional(
      Type.Union(
        ['string', 'integer', 'number', 'boolean'].map((t) => Type.Literal(t)),
        doc('Element type of a `list`.'),
      ),
    ),
    maxItems: Type.Optional(Type.Integer({ minimum: 0 })),
    sensitive: Type.Optional(Type.Boolean(doc('Never shown to the model, never logged by the CLI.'))),
  },
  { additionalProperties: false },
);

export const SecretSchema = Type.Object(
  {
    env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', ...doc('Read from this environment variable of the worker.') })),
    file: Type.Optional(Type.String(doc('Read from this file on the worker (trailing newline removed).'))),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false, ...doc('Where the worker finds the secret at run time. Its value never enters history.') },
);

export const StepSchema = Type.Recursive(
  (Step: TSchema) =>
    Type.Object(
      {
        ...commonStepFields(),
        // Kinds: exactly one of the following keys (or `end` alone).
        ...Object.assign({}, ...KIND_LIST.map((kind) => kind.fields(Step))),
      },
      { additionalProperties: false },
    ),
  { $id: 'Step' },
);

export const RunbookSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: RUNBOOK_NAME_PATTERN, ...doc('Unique name; lower case, digits, dashes.') }),
    description: Type.Optional(Type.String()),
    triggers: Type.Optional(Type.Array(TriggerSchema)),
    inputs: Type.Optional(Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), InputSchema)),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), SecretSchema)),
    defaults: Type.Optional(
      Type.Object(
        { timeout: Type.Optional(Duration), retry: Type.Optional(RetrySchema), model: Type.Optional(Type.String()) },
        { additionalProperties: false, ...doc('Defaults for every step.') },
      ),
    ),
    onResolved: Type.Optional(
      Type.Union(
        [Type.Literal('continue'), Type.Literal('stop')],
        doc('What a resolved alert does to a running remediation. Default `continue`; `alert.status` tells steps either way.'),
      ),
    ),
    concurrency: Type.Optional(ConcurrencySchema),
    steps: Type.Array(StepSchema, { minItems: 1 }),
    outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown(), doc('Values the run returns; expressions allowed.'))),
  },
  { additionalProperties: false, $id: 'https://runbooks.dev/runbook.schema.json', title: 'Runbook' },
);

export type TriggerDoc = Static<typeof TriggerSchema>;
export type InputDoc = Static<typeof InputSchema>;
export type SecretDoc = Static<typeof SecretSchema>;
export type RunbookDoc = Static<typeof RunbookSchema>;

/** JSON Schema for editors: the same definition, as plain JSON. */
export function runbookJsonSchema(): TSchema {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...RunbookSchema }));
}
