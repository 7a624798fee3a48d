// What the HTTP receiver hands to authentication and parsing, and what they answer. Kept free of
// any HTTP framework so both stay pure functions of the request.
import type { Alert } from '../dsl/alert';

export interface IncomingRequest {
  /** The body exactly as received: signatures are computed over these bytes, never over re-serialised JSON. */
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** ms since epoch; the clock timestamp checks compare against, so tests need no fake timers. */
  receivedAt: number;
}

/** `identity` says who or what authenticated, e.g. 'alertmanager (bearer #1)'; it never contains a secret. */
export type AuthResult = { ok: true; identity: string } | { ok: false; reason: string };

export type ParseResult =
  /** `ignored`: why a valid delivery carries nothing to act on (e.g. PagerDuty incident.acknowledged). */
  { ok: true; alerts: Alert[]; deliveryId?: string; ignored?: string } | { ok: false; status: 400 | 422; reason: string };

/** A header's value with surrounding blanks removed; absent and blank are both `undefined`. */
export function headerValue(req: IncomingRequest, lowerCaseName: string): string | undefined {
  const value = Object.hasOwn(req.headers, lowerCaseName) ? req.headers[lowerCaseName]?.trim() : undefined;
  return value === '' ? undefined : value;
}
