// Standard Webhooks (https://www.standardwebhooks.com) verification for generic senders: headers
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature (space-separated `v1,<base64>`
// entries), each a base64 HMAC-SHA256 over `id.timestamp.body` keyed with the base64-decoded
// secret after `whsec_`; timestamps more than 5 minutes off either way are refused.
//
// Implemented here rather than with the `standardwebhooks` package, which the tests use as the
// reference signer instead: its verify() reads the clock itself (we check against
// req.receivedAt, as the other sources do), signs the body decoded to a string instead of the raw
// bytes, takes one secret per instance, and throws generic errors ("No matching signature found")
// where we answer with specific reasons. With the shared HMAC helper the scheme is a few lines.
import { headerValue, type AuthResult, type IncomingRequest } from '../request';
import { notConfigured, webhookSigningKey, type SourceAuthConfig } from './config';
import { findSigningKey } from './crypto';
import { timestampProblem } from './timestamp';

type WebhookAuth = NonNullable<SourceAuthConfig['webhook']>;

const TOLERANCE_SECONDS = 5 * 60;

export function verifyStandardWebhook(config: WebhookAuth, req: IncomingRequest): AuthResult {
  if (config.secrets.length === 0) return notConfigured('webhook');
  const keys: Buffer[] = [];
  for (const [index, secret] of config.secrets.entries()) {
    const key = webhookSigningKey(secret);
    if (key === undefined) return { ok: false, reason: `webhook secret #${index + 1} must be "whsec_" followed by base64` };
    keys.push(key);
  }

  const id = headerValue(req, 'webhook-id');
  const timestamp = headerValue(req, 'webhook-timestamp');
  const signatureHeader = headerValue(req, 'webhook-signature');
  if (id === undefined) return { ok: false, reason: 'missing webhook-id header' };
  if (timestamp === undefined) return { ok: false, reason: 'missing webhook-timestamp header' };
  if (signatureHeader === undefined) return { ok: false, reason: 'missing webhook-signature header' };

  const stale = timestampProblem('webhook-timestamp', timestamp, req.receivedAt, TOLERANCE_SECONDS);
  if (stale !== undefined) return { ok: false, reason: stale };

  // Other versions (v1a is asymmetric ed25519) are skipped, as the spec asks.
  const signatures = signatureHeader
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice('v1,'.length), 'base64'));
  if (signatures.length === 0) return { ok: false, reason: 'webhook-signature has no v1,<base64> entry' };

  const index = findSigningKey(keys, [`${id}.${timestamp}.`, req.rawBody], signatures);
  return index === -1 ? { ok: false, reason: 'signature does not match' } : { ok: true, identity: `webhook (secret #${index + 1})` };
}
