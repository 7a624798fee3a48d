// PagerDuty V3 webhook signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`, each a hex
// HMAC-SHA256(secret, body). Several entries while PagerDuty rotates its secret, several configured
// secrets while we rotate ours: any match is enough. PagerDuty signs no timestamp; replays are
// caught by the receiver's X-Webhook-Id dedupe.
import { headerValue, type AuthResult, type IncomingRequest } from '../request';
import { emptySecretProblem, notConfigured, type SourceAuthConfig } from './config';
import { findSigningKey, hexSha256 } from './crypto';

type PagerDutyAuth = NonNullable<SourceAuthConfig['pagerduty']>;

export function verifyPagerDuty(config: PagerDutyAuth, req: IncomingRequest): AuthResult {
  if (config.secrets.length === 0) return notConfigured('pagerduty');
  const problem = emptySecretProblem('pagerduty secret', config.secrets);
  if (problem !== undefined) return { ok: false, reason: problem };

  const header = headerValue(req, 'x-pagerduty-signature');
  if (header === undefined) return { ok: false, reason: 'missing X-PagerDuty-Signature header' };
  // Entries of other versions are skipped, so a future v2 alongside v1 still verifies.
  const signatures = header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('v1='))
    .flatMap((entry) => hexSha256(entry.slice('v1='.length)) ?? []);
  if (signatures.length === 0) return { ok: false, reason: 'X-PagerDuty-Signature has no v1=<lowercase hex HMAC-SHA256> entry' };

  const index = findSigningKey(config.secrets, [req.rawBody], signatures);
  return index === -1 ? { ok: false, reason: 'signature does not match' } : { ok: true, identity: `pagerduty (secret #${index + 1})` };
}
