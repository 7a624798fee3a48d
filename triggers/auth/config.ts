// What each source needs to authenticate. A source without configuration accepts nothing:
// unauthenticated requests are never accepted by default.
import type { AuthResult } from '../request';

export interface SourceAuthConfig {
  alertmanager?: { bearerTokens?: string[]; basic?: Array<{ username: string; password: string }> };
  grafana?: {
    secrets: string[];
    /** e.g. 'x-grafana-alerting-signature-timestamp'; when set, the header is required and checked. */
    timestampHeader?: string;
    /** default 300 */
    toleranceSeconds?: number;
  };
  /** Several secrets: rotation. */
  pagerduty?: {
    secrets: string[];
    /** Events whose `occurred_at` is further than this from receipt are refused as replays. Default 3600. */
    maxEventAgeSeconds?: number;
  };
  /** Standard Webhooks 'whsec_...' secrets; several: rotation. */
  webhook?: { secrets: string[] };
}

export function notConfigured(source: string): AuthResult {
  return { ok: false, reason: `${source} is not configured` };
}

/** Shortest secret accepted: a guessable or empty one would let anyone sign or log in. */
export const MIN_SECRET_CHARS = 16;
/** Standard Webhooks keys are random bytes; the spec's own secrets are 24 to 64 bytes. */
export const MIN_WEBHOOK_KEY_BYTES = 24;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key of a `whsec_...` secret, or undefined when it is not one. */
export function webhookSigningKey(secret: string): Buffer | undefined {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  return BASE64.test(base64) ? Buffer.from(base64, 'base64') : undefined;
}

/**
 * Every weak or malformed credential, named by source and position (never by value). The
 * receiver refuses to start with any, so a typo can never leave a source open.
 */
export function credentialProblems(auth: SourceAuthConfig): string[] {
  const problems: string[] = [];
  const short = (what: string, values: readonly string[]) =>
    values.forEach((v, i) => {
      if (v.length < MIN_SECRET_CHARS) problems.push(`${what} #${i + 1} has ${v.length} characters; use at least ${MIN_SECRET_CHARS} random ones`);
    });
  short('ALERTMANAGER_TOKENS token', auth.alertmanager?.bearerTokens ?? []);
  short(
    'ALERTMANAGER_BASIC_AUTH password',
    (auth.alertmanager?.basic ?? []).map((u) => u.password),
  );
  (auth.alertmanager?.basic ?? []).forEach((u, i) => {
    if (u.username === '') problems.push(`ALERTMANAGER_BASIC_AUTH user #${i + 1} has no name (write user:password)`);
  });
  short('GRAFANA_WEBHOOK_SECRETS secret', auth.grafana?.secrets ?? []);
  short('PAGERDUTY_WEBHOOK_SECRETS secret', auth.pagerduty?.secrets ?? []);
  (auth.webhook?.secrets ?? []).forEach((secret, i) => {
    const key = webhookSigningKey(secret);
    if (key === undefined) problems.push(`WEBHOOK_SECRETS secret #${i + 1} must be "whsec_" followed by base64`);
    else if (key.length < MIN_WEBHOOK_KEY_BYTES)
      problems.push(`WEBHOOK_SECRETS secret #${i + 1} decodes to ${key.length} bytes; use at least ${MIN_WEBHOOK_KEY_BYTES}`);
  });
  return problems;
}
