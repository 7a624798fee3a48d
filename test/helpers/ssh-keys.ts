// Real OpenSSH keys and signatures for tests: `ssh-keygen` makes the keys and signs; a people
// file lists them. Security keys (FIDO2) need hardware, so `securityKeySignature` makes their
// signatures in software, byte for byte as OpenSSH's PROTOCOL.u2f says a token does; tests
// check those with `ssh-keygen -Y verify` first, so the format is OpenSSH's, not ours.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/nist';
import { sha256, sha512 } from '@noble/hashes/sha2';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { stringify } from 'yaml';
import { SIGNATURE_NAMESPACE } from '../../contract/signing';

export interface TestKey {
  /** The private key file. */
  file: string;
  /** The public key line. */
  line: string;
  fingerprint: string;
}

export const keyDir = (): string => mkdtempSync(path.join(tmpdir(), 'runbook-keys-'));

export function makeKey(dir: string, name: string, type: 'ed25519' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' = 'ed25519'): TestKey {
  const file = path.join(dir, name);
  const [t, bits] = type.split('-');
  execFileSync('ssh-keygen', ['-q', '-t', t!, ...(bits ? ['-b', bits] : []), '-N', '', '-C', name, '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { file, line, fingerprint };
}

/** `ssh-keygen -Y sign` over `text`: the armored signature. */
export function sshSign(text: string, key: string, namespace = SIGNATURE_NAMESPACE): string {
  return execFileSync('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', key], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }).trim();
}

/** `ssh-keygen -Y verify`: does OpenSSH itself accept this signature by `line` for `principal`? */
export function opensshVerifies(text: string, signature: string, line: string, namespace = SIGNATURE_NAMESPACE): boolean {
  const dir = keyDir();
  writeFileSync(path.join(dir, 'allowed'), `someone ${line}\n`);
  writeFileSync(path.join(dir, 'sig'), `${signature}\n`);
  try {
    execFileSync('ssh-keygen', ['-Y', 'verify', '-f', path.join(dir, 'allowed'), '-I', 'someone', '-n', namespace, '-s', path.join(dir, 'sig')], {
      input: text,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    return true;
  } catch {
    return false;
  }
}

export function writePeopleFile(file: string, people: Record<string, { keys?: TestKey[]; revoked?: TestKey[] }>, groups: Record<string, string[]> = {}): void {
  const doc = {
    groups,
    people: Object.fromEntries(
      Object.entries(people).map(([name, p]) => [name, { keys: (p.keys ?? []).map((k) => k.line), revoked: (p.revoked ?? []).map((k) => k.line) }]),
    ),
  };
  writeFileSync(file, stringify(doc));
}

// ---------- security keys, in software ----------

const str = (bytes: Uint8Array): Uint8Array => {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, bytes.length);
  return concatBytes(len, bytes);
};
const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const mpint = (n: bigint): Uint8Array => {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  return str(bytes[0]! & 0x80 ? concatBytes(Uint8Array.of(0), bytes) : bytes);
};

export interface SecurityKey {
  line: string;
  sign(text: string, options?: { flags?: number }): string;
}

/** A FIDO2 key as OpenSSH uses one (`ed25519-sk` or `ecdsa-sk`), its private half in memory. */
export function securityKey(kind: 'ed25519' | 'ecdsa', application = 'ssh:'): SecurityKey {
  const type = kind === 'ed25519' ? 'sk-ssh-ed25519@openssh.com' : 'sk-ecdsa-sha2-nistp256@openssh.com';
  const secret = kind === 'ed25519' ? ed25519.utils.randomPrivateKey() : p256.utils.randomPrivateKey();
  const point = kind === 'ed25519' ? ed25519.getPublicKey(secret) : p256.getPublicKey(secret, false);
  const app = utf8ToBytes(application);
  const blob = concatBytes(str(utf8ToBytes(type)), ...(kind === 'ecdsa' ? [str(utf8ToBytes('nistp256'))] : []), str(point), str(app));
  return {
    line: `${type} ${Buffer.from(blob).toString('base64')} token`,
    sign(text, { flags = 0x01 } = {}) {
      const ns = utf8ToBytes(SIGNATURE_NAMESPACE);
      const signed = concatBytes(utf8ToBytes('SSHSIG'), str(ns), str(new Uint8Array()), str(utf8ToBytes('sha512')), str(sha512(utf8ToBytes(text))));
      const counter = u32(7);
      const tokenData = concatBytes(sha256(app), Uint8Array.of(flags), counter, sha256(signed));
      let raw: Uint8Array;
      if (kind === 'ed25519') raw = str(ed25519.sign(tokenData, secret));
      else {
        const sig = p256.sign(sha256(tokenData), secret, { prehash: false });
        raw = str(concatBytes(mpint(sig.r), mpint(sig.s)));
      }
      const sigBlob = concatBytes(str(utf8ToBytes(type)), raw, Uint8Array.of(flags), counter);
      const whole = concatBytes(utf8ToBytes('SSHSIG'), u32(1), str(blob), str(ns), str(new Uint8Array()), str(utf8ToBytes('sha512')), str(sigBlob));
      const body = Buffer.from(whole)
        .toString('base64')
        .match(/.{1,70}/g)!
        .join('\n');
      return `-----BEGIN SSH SIGNATURE-----\n${body}\n-----END SSH SIGNATURE-----`;
    },
  };
}
