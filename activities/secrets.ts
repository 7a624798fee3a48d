// Resolving secret tokens inside an activity, and making sure their values never leave it.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { SECRET_TOKEN, secretToken } from '../dsl/secrets';
import type { SecretDoc } from '../dsl/schema';

export type SecretValues = Map<string, string>;

export async function resolveSecrets(declared: Record<string, SecretDoc>): Promise<SecretValues> {
  const values: SecretValues = new Map();
  for (const [name, ref] of Object.entries(declared)) {
    if (ref.env !== undefined) {
      const value = process.env[ref.env];
      if (value === undefined || value === '') {
        throw ApplicationFailure.create({ type: 'SecretMissing', message: `secret \`${name}\`: environment variable ${ref.env} is not set on the worker`, nonRetryable: true });
      }
      values.set(name, value);
    } else if (ref.file !== undefined) {
      try {
        values.set(name, (await readFile(ref.file, 'utf8')).replace(/\r?\n$/, ''));
      } catch (err) {
        throw ApplicationFailure.create({ type: 'SecretMissing', message: `secret \`${name}\`: cannot read ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, nonRetryable: true });
      }
    } else {
      throw ApplicationFailure.create({ type: 'SecretMissing', message: `secret \`${name}\` names neither \`env\` nor \`file\``, nonRetryable: true });
    }
  }
  return values;
}

/** Replaces tokens in every string of a value with the secret values. */
export function insertSecrets<T>(value: T, secrets: SecretValues): T {
  return mapStrings(value, (s) => s.replace(SECRET_TOKEN, (token, name: string) => secrets.get(name) ?? token));
}

/** Replaces every secret value in every string of a value with its token. */
export function redactSecrets<T>(value: T, secrets: SecretValues): T {
  const entries = [...secrets].filter(([, v]) => v.length > 0).sort((a, b) => b[1].length - a[1].length);
  if (entries.length === 0) return value;
  return mapStrings(value, (s) => entries.reduce((text, [name, secret]) => text.split(secret).join(secretToken(name)), s));
}

function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}
