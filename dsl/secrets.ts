// Secrets are references. Which secrets a step may use is fixed when the runbook is compiled,
// from its literal `${{ secrets.NAME }}` references; nothing else can name one. When the
// workflow renders a step's parameters it records *where* each reference stands (a secret
// site: the path of the string and its parts); the activity puts the values there and nowhere
// else. The `⟦secret:NAME⟧` text that history shows is a placeholder for people: data that
// contains it (an alert annotation, a model's fill, a person's comment, a command's output)
// stays inert text, because nothing ever searches text for it.
import { evaluateExpression, hasExpression, parseExpression, renderTemplate, splitTemplate, stringify, type Scope } from './expressions';

/** How a secret appears in rendered parameters, in history and in redacted outputs. */
export const secretToken = (name: string): string => `⟦secret:${name}⟧`;

export type SecretPart = string | { secret: string };

export interface SecretSite {
  /** Where the string is inside the step's `with`. */
  path: Array<string | number>;
  /** The string, as literal text and secret references in order. */
  parts: SecretPart[];
}

export interface RenderedParameters {
  /** The rendered parameters, secrets shown as placeholders. */
  value: Record<string, unknown>;
  sites: SecretSite[];
}

interface AstNode {
  op: string;
  args: unknown;
}

/** `NAME` when the expression is exactly `secrets.NAME` (or `secrets['NAME']`), else undefined. */
export function soleSecretReference(source: string): string | undefined {
  const ast = parseExpression(source).ast as unknown as AstNode;
  if (ast.op !== '.' && ast.op !== '[]') return undefined;
  const [target, member] = ast.args as [AstNode, unknown];
  if (target.op !== 'id' || target.args !== 'secrets') return undefined;
  if (ast.op === '.') return typeof member === 'string' ? member : undefined;
  const literal = member as AstNode;
  return literal.op === 'value' && typeof literal.args === 'string' ? literal.args : undefined;
}

/** The secrets a template names, in order of first use (for the compiled step). */
export function secretNames(template: unknown): string[] {
  const names = new Set<string>();
  visitStrings(template, [], (text) => {
    if (!hasExpression(text)) return;
    for (const segment of splitTemplate(text)) {
      if (segment.kind !== 'expr') continue;
      const name = soleSecretReference(segment.source);
      if (name !== undefined) names.add(name);
    }
  });
  return [...names];
}

/** Renders a step's `with`, keeping secret references as sites instead of text. */
export function renderParameters(template: Record<string, unknown>, scope: Scope): RenderedParameters {
  const sites: SecretSite[] = [];
  const render = (value: unknown, path: Array<string | number>): unknown => {
    if (typeof value === 'string') return renderString(value, path, scope, sites);
    if (Array.isArray(value)) return value.map((v, i) => render(v, [...path, i]));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, [...path, k])]));
    return value;
  };
  return { value: render(template, []) as Record<string, unknown>, sites };
}

function renderString(text: string, path: Array<string | number>, scope: Scope, sites: SecretSite[]): unknown {
  if (!hasExpression(text)) return text;
  const segments = splitTemplate(text);
  const secretAt = segments.map((s) => (s.kind === 'expr' ? soleSecretReference(s.source) : undefined));
  if (secretAt.every((name) => name === undefined)) return renderTemplate(text, scope);
  const parts: SecretPart[] = segments.map((s, i) => {
    const name = secretAt[i];
    if (name !== undefined) return { secret: name };
    return s.kind === 'text' ? s.text : stringify(evaluateExpression(s.source, scope, s.offset));
  });
  sites.push({ path, parts });
  return parts.map((p) => (typeof p === 'string' ? p : secretToken(p.secret))).join('');
}

function visitStrings(value: unknown, path: Array<string | number>, visit: (text: string, path: Array<string | number>) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => visitStrings(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visitStrings(v, [...path, k], visit);
}
