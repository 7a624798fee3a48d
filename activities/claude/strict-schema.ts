// Strict tool schemas accept a subset of JSON Schema: bounds, lengths, patterns and formats
// make a request fail. We move those into descriptions for the model, keep the structure the
// API enforces, and check the full schema ourselves afterwards.
type Json = Record<string, unknown>;

const MOVED = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
];

export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Json;
  const out: Json = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(s)) {
    if (MOVED.includes(key)) notes.push(`${key} ${JSON.stringify(value)}`);
    else if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, strictSchema(v)]));
    else if (key === 'items' || key === 'anyOf' || key === 'allOf') out[key] = strictSchema(value);
    else out[key] = value;
  }
  if (out.type === 'object' || out.properties) out.additionalProperties = false;
  if (notes.length) out.description = [s.description, `Constraints: ${notes.join(', ')}.`].filter(Boolean).join(' ');
  return out;
}
