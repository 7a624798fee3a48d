// Resolving secrets inside an activity, putting them exactly where the workflow recorded a
// reference (never where text merely looks like one), and making sure their values never leave it.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { secretToken, type SecretSite } from '../dsl/secrets';
import type { SecretDoc } from '../dsl/schema';
import { memberOf, valueAt } from '../dsl/values';
import { TRUNCATION_MARKER } from './truncate';

export type SecretValues = Map<string, string>;

export async function resolveSecrets(declared: Record<string, SecretDoc>): Promise<SecretValues> {
  const values: SecretValues = new Map();
  for (const [name, ref] of Object.entries(declared)) {
    if (ref.env !== undefined) {
      const value = process.env[ref.env];
      if (value === undefined || value === '') {
        throw ApplicationFailure.create({
          type: 'SecretMissing',
          message: `secret \`${name}\`: environment variable ${ref.env} is not set on the worker`,
          nonRetryable: true,
        });
      }
      values.set(name, value);
    } else if (ref.file !== undefined) {
      try {
        values.set(name, (await readFile(ref.file, 'utf8')).replace(/\r?\n$/, ''));
      } catch (err) {
        throw ApplicationFailure.create({
          type: 'SecretMissing',
          message: `secret \`${name}\`: cannot read ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
          nonRetryable: true,
        });
      }
    } else {
      throw ApplicationFailure.create({ type: 'SecretMissing', message: `secret \`${name}\` names neither \`env\` nor \`file\``, nonRetryable: true });
    }
  }
  return values;
}

/** The parameters with each secret site's string rebuilt from its parts, secret values included. */
export function placeSecrets(value: Record<string, unknown>, sites: readonly SecretSite[], secrets: SecretValues): Record<string, unknown> {
  if (sites.length === 0) return value;
  const copy = structuredClone(value);
  for (const site of sites) {
    const text = site.parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const secret = secrets.get(part.secret);
        if (secret === undefined)
          throw ApplicationFailure.create({ type: 'SecretMissing', message: `secret \`${part.secret}\` is not declared for this step`, nonRetryable: true });
        return secret;
      })
      .join('');
    setAt(copy, site.path, text);
  }
  return copy;
}

function setAt(root: Record<string, unknown>, path: ReadonlyArray<string | number>, text: string): void {
  const holder = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined || typeof memberOf(holder, last) !== 'string') {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: `no parameter at ${path.join('.')} for a secret`, nonRetryable: true });
  }
  (holder as Record<string | number, unknown>)[last] = text;
}

/** Secrets shorter than this are not searched for in pieces: a few characters match too much by chance. */
const MIN_PARTIAL = 4;

/**
 * Replaces every secret value in every string of a value with its placeholder. Truncation keeps
 * a head and a tail with a marker between them and may cut a secret in two: the piece of a
 * secret that ends right before the marker, or starts right after it, is masked as well.
 */
export function redactSecrets<T>(value: T, secrets: SecretValues): T {
  const entries = [...secrets].filter(([, v]) => v.length > 0).sort((a, b) => b[1].length - a[1].length);
  if (entries.length === 0) return value;
  return mapStrings(value, (s) => {
    const whole = entries.reduce((text, [name, secret]) => text.split(secret).join(secretToken(name)), s);
    return whole.includes('\n…[') ? redactAroundCuts(whole, entries) : whole;
  });
}

function redactAroundCuts(text: string, entries: ReadonlyArray<[string, string]>): string {
  // split() with a capturing pattern keeps the markers at the odd indexes.
  const pieces = text.split(TRUNCATION_MARKER);
  for (let i = 0; i < pieces.length; i += 2) {
    if (i + 1 < pieces.length) pieces[i] = maskEdge(pieces[i]!, entries, 'end');
    if (i > 0) pieces[i] = maskEdge(pieces[i]!, entries, 'start');
  }
  return pieces.join('');
}

/** Masks the longest piece of a secret that the text ends with (or starts with). */
function maskEdge(text: string, entries: ReadonlyArray<[string, string]>, edge: 'start' | 'end'): string {
  for (const [name, secret] of entries) {
    for (let k = secret.length - 1; k >= MIN_PARTIAL; k--) {
      if (edge === 'end' && text.endsWith(secret.slice(0, k))) return text.slice(0, -k) + secretToken(name);
      if (edge === 'start' && text.startsWith(secret.slice(secret.length - k))) return secretToken(name) + text.slice(k);
    }
  }
  return text;
}

function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}
