// Input declarations: checking values against them and turning text (CLI flags, alert
// labels) into typed values. Pure, so the workflow re-checks its own input with the same code.
import type { Alert } from './alert';
import { regExp, type Pattern } from './regex';
import type { InputDoc } from './schema';
import { valueAt } from './values';

/** Why a value does not fit an input declaration, or undefined when it does. */
export function inputProblem(spec: Record<string, unknown>, value: unknown): string | undefined {
  const t = spec.type;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  switch (t) {
    case 'string':
    case 'enum': {
      if (typeof value !== 'string') return `must be a string, not ${JSON.stringify(value)}`;
      // Lengths first: a value that is too long is refused before any pattern reads it.
      if (typeof spec.maxLength === 'number' && value.length > spec.maxLength) return `is longer than ${spec.maxLength} characters`;
      if (typeof spec.minLength === 'number' && value.length < spec.minLength) return `is shorter than ${spec.minLength} characters`;
      if (t === 'enum' && Array.isArray(spec.values) && !spec.values.includes(value))
        return `must be one of ${spec.values.map((v) => `\`${String(v)}\``).join(', ')}, not ${quoted(value)}`;
      if (typeof spec.pattern === 'string' && !safeRegex(spec.pattern)?.test(value)) return `${quoted(value)} does not match ${spec.pattern}`;
      return undefined;
    }
    case 'integer':
    case 'number': {
      if (!num(value) || (t === 'integer' && !Number.isInteger(value)))
        return `must be ${t === 'integer' ? 'an integer' : 'a number'}, not ${JSON.stringify(value)}`;
      if (typeof spec.minimum === 'number' && (value as number) < spec.minimum) return `must be at least ${spec.minimum}, not ${String(value)}`;
      if (typeof spec.maximum === 'number' && (value as number) > spec.maximum) return `must be at most ${spec.maximum}, not ${String(value)}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${JSON.stringify(value)}`;
    case 'list': {
      if (!Array.isArray(value)) return `must be a list, not ${JSON.stringify(value)}`;
      if (typeof spec.maxItems === 'number' && value.length > spec.maxItems) return `has more than ${spec.maxItems} items`;
      if (typeof spec.items === 'string') {
        for (const item of value) {
          const problem = inputProblem({ type: spec.items }, item);
          if (problem) return `item ${JSON.stringify(item)} ${problem}`;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A value quoted for a message, cut short: alert labels can be long and are not ours to echo in full. */
function quoted(value: string): string {
  return `\`${value.length > 64 ? `${value.slice(0, 61)}...` : value}\``;
}

function safeRegex(pattern: string): Pattern | undefined {
  try {
    return regExp(pattern);
  } catch {
    return undefined;
  }
}

export interface ResolvedInputs {
  values: Record<string, unknown>;
  problems: string[];
}

/**
 * Values for every declared input: given values first, then the alert field named by `from`,
 * then the default. Text is converted to the declared type. Every problem is reported, not only the first.
 */
export function resolveInputs(declared: Record<string, InputDoc>, given: Record<string, unknown>, alert?: Alert): ResolvedInputs {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!(name in declared)) problems.push(`unknown input \`${name}\` (inputs: ${Object.keys(declared).join(', ') || 'none'})`);
  }
  for (const [name, spec] of Object.entries(declared)) {
    let value: unknown = given[name];
    let origin = 'given';
    if (value === undefined && spec.from && alert) {
      value = alertField(alert, spec.from);
      origin = spec.from;
    }
    if (value === undefined) {
      value = spec.default;
      origin = 'default';
    }
    if (value === undefined) {
      problems.push(`input \`${name}\` is required${spec.from ? ` (and ${spec.from} is not in the alert)` : ''}`);
      continue;
    }
    const typed = typeof value === 'string' ? fromText(spec, value) : value;
    const problem = inputProblem(spec as unknown as Record<string, unknown>, typed);
    if (problem) problems.push(`input \`${name}\` (${origin}) ${problem}`);
    else values[name] = typed;
  }
  return { values, problems };
}

function alertField(alert: Alert, from: string): unknown {
  return valueAt(alert, from.split('.').slice(1));
}

/** Text to the declared type; text that does not convert stays text and fails the check with a clear message. */
function fromText(spec: InputDoc, text: string): unknown {
  switch (spec.type) {
    case 'integer':
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'list': {
      if (text.trim().startsWith('[')) {
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      }
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return spec.items ? items.map((i) => fromText({ type: spec.items! }, i)) : items;
    }
    default:
      return text;
  }
}
