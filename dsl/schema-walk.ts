// Walking a JSON Schema by its subschemas (not by every key: a property may be called
// `pattern`). Used to point `pattern` keywords of runbook schemas at RE2.
type Json = Record<string, unknown>;

const SCHEMA_VALUED = [
  'additionalProperties',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A copy of `schema` with `f` applied to every (sub)schema object, innermost first. */
export function mapSubschemas(schema: unknown, f: (schema: Json) => Json): unknown {
  if (!isObject(schema)) return schema;
  const out: Json = { ...schema };
  for (const key of SCHEMA_VALUED) if (isObject(out[key])) out[key] = mapSubschemas(out[key], f);
  for (const key of SCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map((s) => mapSubschemas(s, f));
  for (const key of SCHEMA_MAPS) {
    if (isObject(out[key])) out[key] = Object.fromEntries(Object.entries(out[key] as Json).map(([k, s]) => [k, mapSubschemas(s, f)]));
  }
  if (Array.isArray(out.items)) out.items = out.items.map((s) => mapSubschemas(s, f));
  else if (isObject(out.items)) out.items = mapSubschemas(out.items, f);
  return f(out);
}

/** True when any (sub)schema has the keyword. */
export function usesKeyword(schema: unknown, keyword: string): boolean {
  let found = false;
  mapSubschemas(schema, (s) => {
    if (s[keyword] !== undefined) found = true;
    return s;
  });
  return found;
}
