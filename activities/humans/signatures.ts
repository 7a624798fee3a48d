// Is this answer signed by the person it claims to be? The worker's check inside a run (a local
// activity, so the verdict is a marker in history) and `runbook verify` (offline, from history
// and a people file) both decide here, and nowhere else.
import { utf8ToBytes } from '@noble/hashes/utils';
import { SIGNATURE_NAMESPACE, type SignatureCheck, type SignatureCheckRequest } from '../../contract/signing';
import { slackTrusts, type PeopleFile } from './people-file';
import { BadSignature, readSshSignature, verifySshSignature, type PublicKey, type SshSignature } from './sshsig';

const sameKey = (a: PublicKey, b: PublicKey): boolean => a.blob.length === b.blob.length && a.blob.every((x, i) => x === b.blob[i]);

export function checkAnswerSignature(request: SignatureCheckRequest, file: PeopleFile): SignatureCheck {
  let sig: SshSignature;
  try {
    sig = readSshSignature(request.signature);
  } catch (err) {
    if (err instanceof BadSignature) return { ok: false, reason: `the signature cannot be read: ${err.message}` };
    throw err;
  }
  const key = sig.key;
  const named = { fingerprint: key.fingerprint, keyType: key.type };
  const entries = Object.entries(file.people);
  const revokedFrom = entries.find(([, p]) => p.revoked.some((k) => sameKey(k, key)))?.[0];
  if (revokedFrom !== undefined) return { ok: false, reason: `key ${key.fingerprint} is revoked (listed under people.${revokedFrom}.revoked)`, ...named };
  const person = Object.hasOwn(file.people, request.by) ? file.people[request.by] : undefined;
  const bridged = file.slackBridge.keys.some((k) => sameKey(k, key));
  if (bridged) {
    const problem = bridgeProblem(request, person?.slack, file);
    if (problem) return { ok: false, reason: problem, ...named };
  } else if (!person?.keys.some((k) => sameKey(k, key))) {
    const owner = entries.find(([, p]) => p.keys.some((k) => sameKey(k, key)))?.[0];
    const reason = owner
      ? `signed with ${owner}'s key ${key.fingerprint}, not a key of ${request.by}`
      : `key ${key.fingerprint} is not listed for ${request.by} in the people file`;
    return { ok: false, reason, ...named };
  }
  let valid: boolean;
  try {
    valid = verifySshSignature(sig, utf8ToBytes(request.statement), SIGNATURE_NAMESPACE);
  } catch (err) {
    if (err instanceof BadSignature) return { ok: false, reason: err.message, ...named };
    throw err;
  }
  if (!valid)
    return {
      ok: false,
      reason: 'the signature does not cover this answer: it was made for another run, step, wait, plan, answer, signer or expiry, or altered',
      ...named,
    };
  return { ok: true, ...named, ...(bridged && { keyType: `slack-bridge (${key.type})` }) };
}

/** Why the Slack bridge's key may not sign this answer, or undefined: only for the clicker's own name, only where trusted. */
function bridgeProblem(request: SignatureCheckRequest, personSlack: string | undefined, file: PeopleFile): string | undefined {
  const via = request.slack;
  if (!via) return 'signed with the Slack bridge key, but the answer did not come from Slack';
  if (!personSlack || personSlack !== via.user) return `the Slack bridge signed for ${request.by}, but Slack user ${via.user} is not ${request.by}`;
  if (!slackTrusts(file, via.runbook, via.step))
    return `the people file does not trust Slack clicks as signatures for ${via.runbook}/${via.step} (slackBridge.trust)`;
  return undefined;
}
