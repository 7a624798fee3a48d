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
  pagerduty?: { secrets: string[] };
  /** Standard Webhooks 'whsec_...' secrets; several: rotation. */
  webhook?: { secrets: string[] };
}

export function notConfigured(source: string): AuthResult {
  return { ok: false, reason: `${source} is not configured` };
}

/** An empty secret is a configuration mistake that would let anyone sign or log in; refuse everything until it is fixed. */
export function emptySecretProblem(what: string, secrets: readonly string[]): string | undefined {
  const index = secrets.indexOf('');
  return index === -1 ? undefined : `${what} #${index + 1} is empty`;
}
