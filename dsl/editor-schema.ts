// The JSON Schema editors use (runbooks/runbook.schema.json): the runbook schema, plus, for each
// action, the schema of its `with` so editors complete and check action parameters. Where a value
// may be an expression, editors accept `${{ }}` text in place of any type.
import { TestFileSchema } from './test-file';
import type { ActionSpec } from './catalog';
import { runbookJsonSchema } from './schema';

type Json = Record<string, unknown>;

const EXPRESSION = { type: 'string', pattern: '\\$\\{\\{', description: 'A `${{ }}` expression.' };

/** Lets every constrained value (any type but a free string) also be an expression. */
function allowExpressions(schema: unknown, top = false): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s: Json = { ...(schema as Json) };
  if (s.properties) s.properties = mapValues(s.properties as Json, (v) => allowExpressions(v));
  if (s.patternProperties) s.patternProperties = mapValues(s.patternProperties as Json, (v) => allowExpressions(v));
  if (s.items) s.items = allowExpressions(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = allowExpressions(s.additionalProperties);
  const freeString = s.type === 'string' && ['pattern', 'enum', 'const', 'format', 'minLength', 'maxLength'].every((k) => s[k] === undefined);
  const constrained = s.type !== undefined || s.const !== undefined || s.enum !== undefined || s.anyOf !== undefined;
  return !top && constrained && !freeString ? { anyOf: [s, EXPRESSION] } : s;
}

function mapValues(o: Json, f: (v: unknown) => unknown): Json {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

export function editorSchema(actions: Iterable<ActionSpec>): Json {
  const schema = runbookJsonSchema() as Json;
  const conditionals = [...actions].map((a) => ({
    if: { properties: { uses: { const: a.name } }, required: ['uses'] },
    then: { properties: { with: { ...(allowExpressions(JSON.parse(JSON.stringify(a.input)), true) as Json), description: a.description } } },
  }));
  // Attach to the recursive Step definition, wherever TypeBox placed it.
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if ((node as Json).$id === 'Step') {
      (node as Json).allOf = conditionals;
      return;
    }
    for (const v of Object.values(node as Json)) visit(v);
  };
  visit(schema);
  return schema;
}

export function editorSchemaText(actions: Iterable<ActionSpec>): string {
  return JSON.stringify(editorSchema(actions), null, 2) + '\n';
}

/** The JSON Schema of runbook test files (`*.test.yaml`), for editors; the runner's own checks go further. */
export function testFileSchemaText(): string {
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Runbook test file', ...TestFileSchema }, null, 2) + '\n';
}
