// The one place secrets are compared. Everything is constant-time so response timing reveals
// nothing about how much of a guessed token or signature was right.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Constant-time equality for values of any length: both sides are hashed first, so
 * timingSafeEqual always gets equal-length buffers and neither content nor length leaks.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The index of the first key whose HMAC-SHA256 over the concatenated `message` parts equals one of
 * `signatures`, or -1. Several keys: our secret rotation; several signatures: the sender's.
 */
export function findSigningKey(keys: readonly (string | Buffer)[], message: readonly (string | Buffer)[], signatures: readonly Buffer[]): number {
  return keys.findIndex((key) => {
    const hmac = createHmac('sha256', key);
    for (const part of message) hmac.update(part);
    const expected = hmac.digest();
    return signatures.some((signature) => constantTimeEqual(expected, signature));
  });
}

/** A lowercase hex HMAC-SHA256 (as Grafana and PagerDuty send it) as bytes, or undefined when it is not one. */
export function hexSha256(text: string): Buffer | undefined {
  return HEX_SHA256.test(text) ? Buffer.from(text, 'hex') : undefined;
}
