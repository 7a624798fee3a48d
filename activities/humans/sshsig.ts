// OpenSSH public keys and signatures (the SSHSIG format of `ssh-keygen -Y sign`, OpenSSH's
// PROTOCOL.sshsig, with security-key signatures as PROTOCOL.u2f describes them), read and
// verified in pure JavaScript with @noble/curves. Supported: ssh-ed25519, the FIDO2
// sk-ssh-ed25519@openssh.com, ecdsa-sha2-nistp256/384/521 and sk-ecdsa-sha2-nistp256@openssh.com.
// RSA is not: it would need a second library for one legacy key type.
import { ed25519 } from '@noble/curves/ed25519';
import { p256, p384, p521 } from '@noble/curves/nist';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';

export interface PublicKey {
  type: string;
  /** The key's wire encoding: two listings of the same key have equal blobs. */
  blob: Uint8Array;
  /** `SHA256:<base64>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

/** Thrown for a key or signature that cannot be read; the message says what is wrong, never the bytes. */
export class BadSignature extends Error {}

const SUPPORTED = [
  'ssh-ed25519',
  'sk-ssh-ed25519@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

const CURVES = {
  nistp256: { curve: p256, hash: sha256 },
  nistp384: { curve: p384, hash: sha384 },
  nistp521: { curve: p521, hash: sha512 },
} as const;

/** The SSH wire encoding: uint32 lengths before strings (RFC 4251 §5). */
class Wire {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u8(): number {
    if (this.at + 1 > this.bytes.length) throw new BadSignature('truncated');
    return this.bytes[this.at++]!;
  }

  u32(): number {
    if (this.at + 4 > this.bytes.length) throw new BadSignature('truncated');
    const b = this.bytes;
    const n = ((b[this.at]! << 24) | (b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!) >>> 0;
    this.at += 4;
    return n;
  }

  string(): Uint8Array {
    const n = this.u32();
    if (this.at + n > this.bytes.length) throw new BadSignature('truncated');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  text(): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.string());
  }

  raw(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new BadSignature('truncated');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  end(): void {
    if (this.at !== this.bytes.length) throw new BadSignature('trailing bytes');
  }
}

function sshString(bytes: Uint8Array): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, bytes.length);
  return concatBytes(len, bytes);
}

function base64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new BadSignature('not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${Buffer.from(sha256(blob)).toString('base64').replace(/=+$/, '')}`;
}

/** A key from its wire blob; its type must be one this module verifies. */
export function readPublicKey(blob: Uint8Array): PublicKey {
  const type = new Wire(blob).text();
  if (!SUPPORTED.includes(type)) throw new BadSignature(`key type ${type} is not supported (use ed25519, ECDSA or their security-key kinds)`);
  keyParts(blob);
  return { type, blob, fingerprint: fingerprintOf(blob) };
}

/** A line as in authorized_keys or a .pub file: `ssh-ed25519 AAAA… comment`. */
export function parsePublicKeyLine(line: string): PublicKey {
  const [type, body] = line.trim().split(/\s+/);
  if (!type || !body) throw new BadSignature('not an SSH public key line (`<type> <base64> [comment]`)');
  const key = readPublicKey(base64(body));
  if (key.type !== type) throw new BadSignature(`the line says ${type} but the key is ${key.type}`);
  return key;
}

interface KeyParts {
  type: string;
  point: Uint8Array;
  curve?: keyof typeof CURVES;
  application?: Uint8Array;
}

function keyParts(blob: Uint8Array): KeyParts {
  const w = new Wire(blob);
  const type = w.text();
  let parts: KeyParts;
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    parts = { type, point: w.string() };
    if (parts.point.length !== 32) throw new BadSignature('an ed25519 key is 32 bytes');
  } else {
    const curve = w.text();
    if (!(curve in CURVES) || !type.includes(curve)) throw new BadSignature(`curve ${curve} does not match key type ${type}`);
    parts = { type, curve: curve as keyof typeof CURVES, point: w.string() };
  }
  if (type.startsWith('sk-')) parts.application = w.string();
  w.end();
  return parts;
}

export interface SshSignature {
  key: PublicKey;
  namespace: string;
  hashAlgorithm: 'sha256' | 'sha512';
  /** The signature blob as the key produced it. */
  signature: Uint8Array;
}

/** Reads an armored SSHSIG, or its base64 body alone (easier to paste into one line of JSON). */
export function readSshSignature(text: string): SshSignature {
  const body = text
    .replace(/-----BEGIN SSH SIGNATURE-----/, '')
    .replace(/-----END SSH SIGNATURE-----/, '')
    .replace(/\\n/g, '')
    .replace(/\s+/g, '');
  const w = new Wire(base64(body));
  if (new TextDecoder().decode(w.raw(6)) !== 'SSHSIG') throw new BadSignature('not an SSH signature (no SSHSIG preamble)');
  const version = w.u32();
  if (version !== 1) throw new BadSignature(`SSH signature version ${version} is not supported`);
  const key = readPublicKey(w.string());
  const namespace = w.text();
  w.string(); // reserved
  const hashAlgorithm = w.text();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new BadSignature(`hash algorithm ${hashAlgorithm} is not allowed`);
  const signature = w.string();
  w.end();
  return { key, namespace, hashAlgorithm, signature };
}

/** Whether `sig` signs `message` under `namespace` (PROTOCOL.sshsig §3 and, for security keys, PROTOCOL.u2f). */
export function verifySshSignature(sig: SshSignature, message: Uint8Array, namespace: string): boolean {
  if (sig.namespace !== namespace) throw new BadSignature(`the signature is for namespace \`${sig.namespace}\`, not \`${namespace}\``);
  const digest = sig.hashAlgorithm === 'sha256' ? sha256(message) : sha512(message);
  const signed = concatBytes(
    utf8ToBytes('SSHSIG'),
    sshString(utf8ToBytes(namespace)),
    sshString(new Uint8Array()),
    sshString(utf8ToBytes(sig.hashAlgorithm)),
    sshString(digest),
  );
  const key = keyParts(sig.key.blob);
  const w = new Wire(sig.signature);
  const algorithm = w.text();
  if (algorithm !== key.type) throw new BadSignature(`a ${algorithm} signature cannot come from a ${key.type} key`);
  const raw = w.string();
  let data = signed;
  if (key.application) {
    const flags = w.u8();
    const counter = w.raw(4);
    // User presence: OpenSSH refuses a security-key signature made without a touch, and so does this.
    if ((flags & 0x01) === 0) throw new BadSignature('the security key was not touched (user-presence flag unset)');
    data = concatBytes(sha256(key.application), Uint8Array.of(flags), counter, sha256(signed));
  }
  w.end();
  try {
    if (!key.curve) return ed25519.verify(raw, data, key.point);
    const { curve, hash } = CURVES[key.curve];
    const rs = new Wire(raw);
    const r = mpint(rs.string());
    const s = mpint(rs.string());
    rs.end();
    // Security keys sign with P-256 over SHA-256 whatever the SSHSIG hash; OpenSSH does not insist on low-S.
    return curve.verify(new curve.Signature(r, s).toBytes('compact'), key.application ? sha256(data) : hash(data), key.point, { prehash: false, lowS: false });
  } catch (err) {
    if (err instanceof BadSignature) throw err;
    return false;
  }
}

function mpint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if ((bytes[0]! & 0x80) !== 0) throw new BadSignature('negative integer in an ECDSA signature');
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}
