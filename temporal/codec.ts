// Optional encryption of every payload at rest: AES-256-GCM with a key from the environment
// (RUNBOOK_PAYLOAD_KEY, base64 of 32 bytes; RUNBOOK_PAYLOAD_KEY_ID names it). Older keys stay
// readable during rotation (RUNBOOK_PAYLOAD_OLD_KEYS="id:base64,..."). Without a key, nothing
// is encrypted. The Web UI shows encrypted payloads through `runbook codec-server`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED = 'binary/encrypted';
const CIPHER = 'AES256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`no payload key with id ${currentKeyId}`);
    for (const [id, key] of keys) if (key.length !== 32) throw new Error(`payload key ${id} must be 32 bytes (base64 of 32 random bytes), not ${key.length}`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED), 'encryption-cipher': Buffer.from(CIPHER), 'encryption-key-id': Buffer.from(this.currentKeyId) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED) return payload;
      const keyId = Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString();
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with key ${keyId}, which this process does not have`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  if (!env.RUNBOOK_PAYLOAD_KEY) return undefined;
  const currentKeyId = env.RUNBOOK_PAYLOAD_KEY_ID ?? 'default';
  const keys = new Map<string, Buffer>([[currentKeyId, Buffer.from(env.RUNBOOK_PAYLOAD_KEY, 'base64')]]);
  for (const entry of (env.RUNBOOK_PAYLOAD_OLD_KEYS ?? '').split(',').filter(Boolean)) {
    const colon = entry.indexOf(':');
    keys.set(entry.slice(0, colon), Buffer.from(entry.slice(colon + 1), 'base64'));
  }
  return new AesGcmCodec(keys, currentKeyId);
}

/** The data converter for clients and workers: with a codec, failure messages are encrypted too. */
export function dataConverter(codec: PayloadCodec | undefined = codecFromEnv()): DataConverter | undefined {
  if (!codec) return undefined;
  return { payloadCodecs: [codec], failureConverterPath: require.resolve('./failure-converter') };
}
