// `${{ }}` expressions. The language inside is CEL (via @marcbachmann/cel-js): no I/O, no clock,
// no randomness, no loops that can run forever, so the same text gives the same value in the
// workflow sandbox, in the CLI and in `runbook validate`. Nothing here uses eval or new Function.
import { Environment } from '@marcbachmann/cel-js';
import { regExp } from './regex';
import { BoundedCache } from './bounded-cache';

export type Segment = { kind: 'text'; text: string } | { kind: 'expr'; source: string; offset: number };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Offset of the fault in the template text the expression came from. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const OPEN = '${{';
const CLOSE = '}}';

/** Splits a template into literal text and expression sources, respecting CEL string literals and braces. */
export function splitTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let cursor = 0;
  while (cursor < template.length) {
    const open = template.indexOf(OPEN, cursor);
    if (open < 0) {
      segments.push({ kind: 'text', text: template.slice(cursor) });
      break;
    }
    if (open > cursor) segments.push({ kind: 'text', text: template.slice(cursor, open) });
    const start = open + OPEN.length;
    const close = findClose(template, start);
    if (close < 0) throw new ExpressionError('`${{` is never closed with `}}`', open);
    const source = template.slice(start, close);
    if (source.trim() === '') throw new ExpressionError('empty expression `${{ }}`', open);
    segments.push({ kind: 'expr', source, offset: start });
    cursor = close + CLOSE.length;
  }
  return segments;
}

function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(OPEN);
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}

/** A template that is one expression and nothing else keeps the expression's type. */
function soleExpression(segments: Segment[]): Extract<Segment, { kind: 'expr' }> | undefined {
  const exprs = segments.filter((s) => s.kind === 'expr');
  if (exprs.length !== 1) return undefined;
  const textOnly = segments.every((s) => s.kind === 'expr' || s.text.trim() === '');
  return textOnly ? (exprs[0] as Extract<Segment, { kind: 'expr' }>) : undefined;
}

// cel-js implements `matches()` with JavaScript's backtracking RegExp, and its registry refuses a
// second overload of the same signature. CEL specifies RE2, so every parsed `x.matches(p)` is
// pointed at our RE2 function instead (see dsl/regex.ts); messages still say `matches`.
const RE2_MATCHES = 're2Matches';

// One environment for every evaluation. Limits keep a hostile runbook from building a huge AST.
let environment: Environment | undefined;
function env(): Environment {
  environment ??= new Environment({
    unlistedVariablesAreDyn: true,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 2_000, maxDepth: 64, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 },
  }).registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) => regExp(pattern).test(text));
  return environment;
}

type Program = ReturnType<Environment['parse']>;
const programs = new BoundedCache<string, Program>(2_000);

interface CelFault {
  summary?: string;
  message: string;
  range?: { start: number };
}

function celFault(err: unknown, offset: number): ExpressionError {
  const fault = err as CelFault;
  const summary = fault.summary ?? fault.message.split('\n')[0] ?? String(err);
  return new ExpressionError(summary.replaceAll(RE2_MATCHES, 'matches'), offset + (fault.range?.start ?? 0));
}

/** Parses (and caches) one expression source. Throws ExpressionError with the offset of the fault. */
export function parseExpression(source: string, offset = 0): Program {
  return programs.get(source, () => {
    let program: Program;
    try {
      program = env().parse(source);
    } catch (err) {
      throw celFault(err, offset);
    }
    useRe2ForMatches(program.ast as unknown as AstNode);
    return program;
  });
}

export type Scope = Record<string, unknown>;

/** Evaluates one expression source to a JSON value. */
export function evaluateExpression(source: string, scope: Scope, offset = 0): unknown {
  const program = parseExpression(source, offset);
  let value: unknown;
  try {
    value = program(toCel(scope) as Record<string, unknown>);
  } catch (err) {
    throw celFault(err, offset);
  }
  return fromCel(value);
}

/** Renders a template string: a sole expression keeps its type; mixed text becomes a string. */
export function renderTemplate(template: string, scope: Scope): unknown {
  if (!template.includes(OPEN)) return template;
  const segments = splitTemplate(template);
  const sole = soleExpression(segments);
  if (sole) return evaluateExpression(sole.source, scope, sole.offset);
  return segments.map((s) => (s.kind === 'text' ? s.text : stringify(evaluateExpression(s.source, scope, s.offset)))).join('');
}

/** Renders every string inside a JSON value. */
export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]));
  }
  return value;
}

/** `if` and `until`: a boolean, or a template that must evaluate to one. */
export function evaluateCondition(condition: string | boolean, scope: Scope): boolean {
  if (typeof condition === 'boolean') return condition;
  const value = renderTemplate(condition, scope);
  if (typeof value !== 'boolean') {
    throw new ExpressionError(`condition must be true or false, got ${describe(value)}`, 0);
  }
  return value;
}

export function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

// CEL distinguishes int from double; JSON does not. Whole numbers become CEL ints so that
// `exitCode == 0` and `replicas + 1` work, other numbers stay doubles.
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value instanceof Uint8Array) return Array.from(value);
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
  }
  return String(value);
}

// ---------- static analysis ----------

export interface Reference {
  /** The variable the chain starts from, e.g. `steps`. */
  root: string;
  /** Member names after the root while they are static, e.g. ['deploys', 'outputs', 'stdout']. */
  path: string[];
  /** Offset of the reference in the expression source. */
  offset: number;
  /** Index in `path` from which members are read optionally (`.?`, `[?]`), if any. */
  optionalFrom?: number;
}

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
  start?: number;
}

const MACROS_WITH_VARIABLES = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'transformList', 'transformMap', 'bind', 'sortBy']);

/** Every free variable reference in an expression, with the static member path that follows it. */
export function expressionReferences(source: string, offset = 0): Reference[] {
  const program = parseExpression(source, offset);
  const found: Reference[] = [];
  walk(program.ast as unknown as AstNode, new Set(), found);
  return found.map((r) => ({ ...r, offset: r.offset + offset }));
}

function chain(node: AstNode): { root: AstNode; path: string[]; optionalFrom?: number } | undefined {
  const path: string[] = [];
  const optional: boolean[] = [];
  let current: AstNode = node;
  for (;;) {
    if (current.op === 'id') {
      path.reverse();
      optional.reverse();
      const first = optional.indexOf(true);
      return { root: current, path, ...(first >= 0 && { optionalFrom: first }) };
    }
    const args = current.args as unknown[];
    if (current.op === '.' || current.op === '.?') {
      path.push(String(args[1]));
      optional.push(current.op === '.?');
      current = args[0] as AstNode;
    } else if ((current.op === '[]' || current.op === '[?]') && isLiteral(args[1])) {
      path.push(String((args[1] as AstNode).args));
      optional.push(current.op === '[?]');
      current = args[0] as AstNode;
    } else {
      return undefined;
    }
  }
}

function isLiteral(node: unknown): boolean {
  const n = node as AstNode;
  return n?.op === 'value' && (typeof n.args === 'string' || typeof n.args === 'number');
}

function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && typeof (value as AstNode).op === 'string';
}

function walk(node: AstNode, locals: Set<string>, found: Reference[]): void {
  const c = node.op === 'id' || node.op === '.' || node.op === '.?' || node.op === '[]' || node.op === '[?]' ? chain(node) : undefined;
  if (c) {
    const name = String(c.root.args);
    if (!locals.has(name))
      found.push({ root: name, path: c.path, offset: c.root.pos ?? c.root.start ?? 0, ...(c.optionalFrom !== undefined && { optionalFrom: c.optionalFrom }) });
    // Index expressions inside the chain (m[x]) still need walking.
    walkChainIndexes(node, locals, found);
    return;
  }
  if (node.op === 'rcall') {
    const [name, target, args] = node.args as [string, unknown, unknown[]];
    // Macros bind the leading bare identifiers (`xs.filter(x, x > 1)`, `cel.bind(v, 1, v + 1)`).
    const declared: AstNode[] = [];
    if (MACROS_WITH_VARIABLES.has(name)) {
      for (const a of args.slice(0, -1)) {
        if (!isNode(a) || a.op !== 'id') break;
        declared.push(a);
      }
    }
    const inner = new Set([...locals, ...declared.map((d) => String(d.args))]);
    const isCelNamespace = name === 'bind' && isNode(target) && target.op === 'id' && target.args === 'cel';
    if (isNode(target) && !isCelNamespace) walk(target, locals, found);
    for (const a of args.slice(declared.length)) if (isNode(a)) walk(a, inner, found);
    return;
  }
  visitChildren(node.args, (child) => walk(child, locals, found));
}

function useRe2ForMatches(node: AstNode): void {
  if (node.op === 'rcall' && (node.args as unknown[])[0] === 'matches') (node.args as unknown[])[0] = RE2_MATCHES;
  visitChildren(node.args, useRe2ForMatches);
}

/** The literal patterns of `matches()` calls, with their offsets, so `validate` can check them. */
export function literalPatterns(source: string, offset = 0): Array<{ pattern: string; offset: number }> {
  const found: Array<{ pattern: string; offset: number }> = [];
  const visit = (node: AstNode): void => {
    if (node.op === 'rcall') {
      const [name, , args] = node.args as [string, unknown, unknown[]];
      const literal = args[0] as AstNode | undefined;
      if (name === RE2_MATCHES && literal?.op === 'value' && typeof literal.args === 'string')
        found.push({ pattern: literal.args, offset: offset + (literal.pos ?? literal.start ?? 0) });
    }
    visitChildren(node.args, visit);
  };
  visit(parseExpression(source, offset).ast as unknown as AstNode);
  return found;
}

function walkChainIndexes(node: AstNode, locals: Set<string>, found: Reference[]): void {
  let current: AstNode = node;
  while (current.op !== 'id') {
    const args = current.args as unknown[];
    if ((current.op === '[]' || current.op === '[?]') && isNode(args[1]) && !isLiteral(args[1])) walk(args[1], locals, found);
    current = args[0] as AstNode;
  }
}

function visitChildren(args: unknown, visit: (n: AstNode) => void): void {
  if (isNode(args)) visit(args);
  else if (Array.isArray(args)) for (const a of args) visitChildren(a, visit);
}
