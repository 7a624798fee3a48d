// PagerDuty V3 webhook signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`, each a hex
// HMAC-SHA256(secret, body). Several entries while PagerDuty rotates its secret, several configured
// secrets while we rotate ours: any match is enough. PagerDuty signs no timestamp header, but the
// signed body carries the event's `occurred_at`: an event further than an hour (configurable) from
// receipt is refused as a replay, and a re-delivery within the hour is caught by the receiver's
// X-Webhook-Id dedupe (and by the one remediation per incident).
import { headerValue, type AuthResult, type IncomingRequest } from '../request';
import { notConfigured, type SourceAuthConfig } from './config';
import { findSigningKey, hexSha256 } from './crypto';

type PagerDutyAuth = NonNullable<SourceAuthConfig['pagerduty']>;

export function verifyPagerDuty(config: PagerDutyAuth, req: IncomingRequest): AuthResult {
  if (config.secrets.length === 0) return notConfigured('pagerduty');

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
  if (index === -1) return { ok: false, reason: 'signature does not match' };
  const stale = eventAgeProblem(req, config.maxEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS);
  return stale === undefined ? { ok: true, identity: `pagerduty (secret #${index + 1})` } : { ok: false, reason: stale };
}

const DEFAULT_MAX_EVENT_AGE_SECONDS = 3600;

/** Why the event's own time says it is a replay, or undefined (also when it has none to read). */
function eventAgeProblem(req: IncomingRequest, maxAgeSeconds: number): string | undefined {
  let occurredAt: unknown;
  try {
    occurredAt = (JSON.parse(req.rawBody.toString('utf8')) as { event?: { occurred_at?: unknown } })?.event?.occurred_at;
  } catch {
    return undefined;
  }
  const at = typeof occurredAt === 'string' ? Date.parse(occurredAt) : NaN;
  if (!Number.isFinite(at)) return undefined;
  const age = Math.round((req.receivedAt - at) / 1000);
  if (Math.abs(age) <= maxAgeSeconds) return undefined;
  return age > 0
    ? `event occurred ${age} s ago; older than ${maxAgeSeconds} s is refused as a replay`
    : `event occurs ${-age} s in the future; tolerance ${maxAgeSeconds} s`;
}
