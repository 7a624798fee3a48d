// Grafana Alerting's HMAC signing: `X-Grafana-Alerting-Signature` = lowercase hex
// HMAC-SHA256(secret, [timestamp ":"] body). The timestamp header has no default name in Grafana;
// when configured here it is required, signed and checked for freshness (replay protection).
import { headerValue, type AuthResult, type IncomingRequest } from '../request';
import { notConfigured, type SourceAuthConfig } from './config';
import { findSigningKey, hexSha256 } from './crypto';
import { timestampProblem } from './timestamp';

type GrafanaAuth = NonNullable<SourceAuthConfig['grafana']>;

const DEFAULT_TOLERANCE_SECONDS = 300;

export function verifyGrafana(config: GrafanaAuth, req: IncomingRequest): AuthResult {
  if (config.secrets.length === 0) return notConfigured('grafana');

  const signatureHeader = headerValue(req, 'x-grafana-alerting-signature');
  if (signatureHeader === undefined) return { ok: false, reason: 'missing X-Grafana-Alerting-Signature header' };
  const signature = hexSha256(signatureHeader);
  if (signature === undefined) return { ok: false, reason: 'X-Grafana-Alerting-Signature must be a lowercase hex HMAC-SHA256' };

  const signed: Array<string | Buffer> = [req.rawBody];
  if (config.timestampHeader !== undefined) {
    const name = config.timestampHeader.toLowerCase();
    const timestamp = headerValue(req, name);
    if (timestamp === undefined) return { ok: false, reason: `missing ${name} header` };
    const stale = timestampProblem(name, timestamp, req.receivedAt, config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
    if (stale !== undefined) return { ok: false, reason: stale };
    signed.unshift(`${timestamp}:`);
  }

  const index = findSigningKey(config.secrets, signed, [signature]);
  return index === -1 ? { ok: false, reason: 'signature does not match' } : { ok: true, identity: `grafana (secret #${index + 1})` };
}
