// Checks a value against a JSON Schema and turns Ajv's errors into positioned, readable
// diagnostics: unknown keys with a suggestion, missing keys, wrong types, bad values.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { BoundedCache } from './bounded-cache';
import { regExp } from './regex';
import { didYouMean, type Diagnostic, type DiagnosticCode } from './diagnostics';
import type { Path, SourceMap } from './load';
import { RunbookSchema } from './schema';
import { DURATION_PATTERN, RUNBOOK_NAME_PATTERN, STEP_ID_PATTERN } from './schema-parts';
import { memberOf } from './values';

// Patterns in schemas (fill schemas come from runbooks) run on RE2, as everywhere else.
const re2Engine = Object.assign((pattern: string) => regExp(pattern), { code: 'require("re2js")' });
export const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { regExp: re2Engine } });

// Compiling a schema costs far more than validating with it: cache by identity, and for
// schemas written in runbooks (fill), by content.
const byIdentity = new WeakMap<object, ValidateFunction>();
const byContent = new BoundedCache<string, ValidateFunction>(500);

export function validatorFor(schema: TSchema | Record<string, unknown>): ValidateFunction {
  let validate = byIdentity.get(schema);
  if (!validate) {
    validate = byContent.get(JSON.stringify(schema), () => ajv.compile(schema));
    byIdentity.set(schema, validate);
  }
  return validate;
}

const PATTERN_MESSAGES: Record<string, (value: unknown) => { code: DiagnosticCode; message: string; hint?: string }> = {
  [DURATION_PATTERN]: (v) => ({ code: 'bad-duration', message: `\`${String(v)}\` is not a duration`, hint: 'write e.g. 30s, 5m, 1h30m, 2d or 250ms' }),
  [STEP_ID_PATTERN]: (v) => ({
    code: 'invalid-value',
    message: `\`${String(v)}\` is not a valid id`,
    hint: 'use lower case letters, digits and _, starting with a letter, so that `steps.<id>` works in expressions',
  }),
  [RUNBOOK_NAME_PATTERN]: (v) => ({
    code: 'invalid-value',
    message: `\`${String(v)}\` is not a valid runbook name`,
    hint: 'use lower case letters, digits and -',
  }),
};

export interface ShapeOptions {
  /** Path of the checked value inside the file (for positions). */
  at: Path;
  /** Describes where a path is, e.g. "step `restart`". */
  describe: (path: Path) => string;
  /** Errors at these paths (or below) are not reported: their values are expressions, known only at run time. */
  skip?: (path: Path) => boolean;
}

export function checkShape(value: unknown, schema: TSchema | Record<string, unknown>, source: SourceMap, options: ShapeOptions): Diagnostic[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const errors = simplify(validate.errors ?? []);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const rel = pointerToPath(err.instancePath, value);
    if (options.skip?.(rel)) continue;
    const path = [...options.at, ...rel];
    const d = describeError(err, path, rel, options.describe);
    if (!d) continue;
    const pos = source.locate(d.path, d.part);
    const diag: Diagnostic = { file: source.file, line: pos.line, col: pos.col, severity: 'error', code: d.code, message: d.message, hint: d.hint };
    const key = `${diag.line}:${diag.col}:${diag.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diag);
  }
  return out;
}

export function checkRunbookShape(value: unknown, source: SourceMap, describe: (path: Path) => string): Diagnostic[] {
  return checkShape(value, RunbookSchema, source, { at: [], describe });
}

function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step: string | number = Array.isArray(node) ? Number(key) : key;
    path.push(step);
    node = memberOf(node, step);
  }
  return path;
}

/** Union errors (anyOf) are collapsed to one message per value instead of one per branch. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath + '|' + e.schemaPath));
  return errors.filter((e) => {
    if (e.keyword === 'anyOf') return true;
    for (const u of unionPaths) {
      const [path, schemaPath] = u.split('|') as [string, string];
      const unionBase = schemaPath.replace(/\/anyOf$/, '/anyOf/');
      if (e.instancePath.startsWith(path) && e.schemaPath.startsWith(unionBase)) return false;
    }
    return true;
  });
}

interface Described {
  code: DiagnosticCode;
  message: string;
  hint?: string;
  path: Path;
  part: 'key' | 'value';
}

function looksLikeProse(key: string): boolean {
  return /\s/.test(key.trim()) || /[.,;!?'"()]/.test(key);
}

function lastKey(path: Path): string {
  const last = path[path.length - 1];
  return last === undefined ? 'value' : typeof last === 'number' ? `item ${last + 1}` : `\`${last}\``;
}

function describeError(err: ErrorObject, path: Path, rel: Path, describe: (path: Path) => string): Described | undefined {
  const where = describe(path);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object })?.properties ?? {});
      return {
        code: 'unknown-key',
        message: `unknown key \`${key}\` in ${where}`,
        hint:
          didYouMean(key, known) ??
          // `{ when: a, b, next: x }`: YAML read `b` as a key. A key with spaces or sentence punctuation is prose that needs quotes.
          (looksLikeProse(key)
            ? 'it looks like text: quote it (`when: "a, b"`), since an unquoted comma or colon ends a value inside `{ }`'
            : known.length
              ? `expected one of ${known.map((k) => `\`${k}\``).join(', ')}`
              : undefined),
        path: [...path, key],
        part: 'key',
      };
    }
    case 'required': {
      const key = String(err.params.missingProperty);
      return { code: 'missing-key', message: `${where} is missing the required key \`${key}\``, path, part: rel.length ? 'key' : 'value' };
    }
    case 'type':
      return {
        code: 'wrong-type',
        message: `${lastKey(path)} in ${where} must be ${article(String(err.params.type))}, not ${kindOf(err.data)}`,
        path,
        part: 'value',
      };
    case 'anyOf': {
      const branches = (err.schema as Array<{ const?: unknown; type?: string }>) ?? [];
      const consts = branches.filter((b) => b.const !== undefined).map((b) => String(b.const));
      if (consts.length === branches.length && consts.length > 0) {
        return {
          code: 'invalid-value',
          message: `${lastKey(path)} in ${where} must be one of ${consts.map((c) => `\`${c}\``).join(', ')}, not ${JSON.stringify(err.data)}`,
          hint: typeof err.data === 'string' ? didYouMean(err.data, consts) : undefined,
          path,
          part: 'value',
        };
      }
      const types = branches.map((b) => b.type ?? 'value');
      return {
        code: 'wrong-type',
        message: `${lastKey(path)} in ${where} must be ${types.map(article).join(' or ')}, not ${kindOf(err.data)}`,
        path,
        part: 'value',
      };
    }
    case 'pattern': {
      const special = PATTERN_MESSAGES[String(err.params.pattern)];
      if (special) return { ...special(err.data), path, part: 'value' };
      return {
        code: 'invalid-value',
        message: `${lastKey(path)} in ${where} must match ${String(err.params.pattern)}, not ${JSON.stringify(err.data)}`,
        path,
        part: 'value',
      };
    }
    case 'const':
    case 'enum': {
      const allowed = err.keyword === 'const' ? [err.params.allowedValue] : (err.params.allowedValues as unknown[]);
      return {
        code: 'invalid-value',
        message: `${lastKey(path)} in ${where} must be one of ${allowed.map((a) => `\`${String(a)}\``).join(', ')}`,
        path,
        part: 'value',
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
    case 'maxProperties':
    case 'multipleOf':
    case 'format':
      return { code: 'invalid-value', message: `${lastKey(path)} in ${where} ${err.message ?? 'is invalid'}`, path, part: 'value' };
    case 'not': {
      // A schema that forbids some values says why in `x-refusal`.
      const refusal = (err.parentSchema as { 'x-refusal'?: string } | undefined)?.['x-refusal'];
      return refusal ? { code: 'invalid-value', message: `${lastKey(path)} in ${where}: ${refusal}`, path, part: 'value' } : undefined;
    }
    case 'if':
    case 'then':
    case 'else':
    case 'oneOf':
    case 'allOf':
      return undefined;
    default:
      return { code: 'invalid-value', message: `${lastKey(path)} in ${where} ${err.message ?? 'is invalid'}`, path, part: 'value' };
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  return names[type] ?? type;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}
