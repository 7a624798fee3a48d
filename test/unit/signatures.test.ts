// Signed answers, checked as the worker and `runbook verify` check them: real OpenSSH keys and
// `ssh-keygen -Y sign` signatures, accepted only for the statement, namespace and person they
// were made for, by a key the people file lists and has not revoked.
import path from 'node:path';
import { checkAnswerSignature } from '../../activities/humans/signatures';
import { BadPeopleFile, loadPeopleFile } from '../../activities/humans/people-file';
import { answerStatement, statementText } from '../../contract/signing';
import { keyDir, makeKey, opensshVerifies, securityKey, sshSign, writePeopleFile, type TestKey } from '../helpers/ssh-keys';
import { writeFileSync } from 'node:fs';

const dir = keyDir();
const alice = makeKey(dir, 'alice');
const bob = makeKey(dir, 'bob');
const stranger = makeKey(dir, 'stranger');
const aliceOld = makeKey(dir, 'alice-old');

const WAIT = { workflowId: 'restart-api-1', firstRunId: 'run-1', step: 'approve_restart', requestedAt: '2026-11-30T10:00:00.000Z', plan: 'a'.repeat(64) };
const statement = (over: Partial<typeof WAIT> = {}, by = 'alice') =>
  statementText(answerStatement({ ...WAIT, ...over }, { action: 'approve', by, expires: '2026-11-30T10:15:00.000Z' }));

async function people(extra: Record<string, { keys?: TestKey[]; revoked?: TestKey[] }> = {}) {
  const file = path.join(dir, `people-${Math.random()}.yaml`);
  writePeopleFile(file, { alice: { keys: [alice], revoked: [aliceOld] }, bob: { keys: [bob] }, ...extra });
  return loadPeopleFile(file);
}

it('accepts the statement signed by a key listed for the signer, and names the key', async () => {
  const text = statement();
  expect(checkAnswerSignature({ statement: text, signature: sshSign(text, alice.file), by: 'alice' }, await people())).toEqual({
    ok: true,
    fingerprint: alice.fingerprint,
    keyType: 'ssh-ed25519',
  });
});

it.each([
  ['another run', { firstRunId: 'run-2' }],
  ['another workflow', { workflowId: 'restart-api-2' }],
  ['another step', { step: 'approve_rollback' }],
  ['another wait of the same step', { requestedAt: '2026-11-30T11:00:00.000Z' }],
  ['another plan', { plan: 'b'.repeat(64) }],
])('refuses a signature made for %s', async (_what, other) => {
  const signature = sshSign(statement(other), alice.file);
  const check = checkAnswerSignature({ statement: statement(), signature, by: 'alice' }, await people());
  expect(check).toMatchObject({ ok: false, fingerprint: alice.fingerprint, reason: expect.stringContaining('does not cover this answer') });
});

it('refuses another answer, another signer name and another expiry under the same signature', async () => {
  const signature = sshSign(statement(), alice.file);
  const base = { action: 'approve' as const, by: 'alice', expires: '2026-11-30T10:15:00.000Z' };
  for (const answer of [
    { ...base, action: 'reject' as const },
    { ...base, expires: '2026-12-30T10:15:00.000Z' },
    { ...base, note: 'an added comment' },
  ]) {
    const check = checkAnswerSignature({ statement: statementText(answerStatement(WAIT, answer)), signature, by: 'alice' }, await people());
    expect(check.ok).toBe(false);
  }
});

it("refuses another person's key, an unlisted key, a revoked key, and a signature for another purpose", async () => {
  const text = statement();
  const file = await people();
  expect(checkAnswerSignature({ statement: text, signature: sshSign(text, bob.file), by: 'alice' }, file)).toMatchObject({
    ok: false,
    reason: `signed with bob's key ${bob.fingerprint}, not a key of alice`,
  });
  expect(checkAnswerSignature({ statement: text, signature: sshSign(text, stranger.file), by: 'alice' }, file)).toMatchObject({
    ok: false,
    reason: `key ${stranger.fingerprint} is not listed for alice in the people file`,
  });
  expect(checkAnswerSignature({ statement: text, signature: sshSign(text, aliceOld.file), by: 'alice' }, file)).toMatchObject({
    ok: false,
    reason: `key ${aliceOld.fingerprint} is revoked (listed under people.alice.revoked)`,
  });
  // The same key and bytes, signed for Git: OpenSSH namespaces keep signatures to their purpose.
  expect(checkAnswerSignature({ statement: text, signature: sshSign(text, alice.file, 'git'), by: 'alice' }, file)).toMatchObject({
    ok: false,
    reason: 'the signature is for namespace `git`, not `runbook-approval`',
  });
  // Nobody named: a person not in the file has no keys.
  expect(
    checkAnswerSignature({ statement: statement({}, 'mallory'), signature: sshSign(statement({}, 'mallory'), alice.file), by: 'mallory' }, file),
  ).toMatchObject({
    ok: false,
    reason: `signed with alice's key ${alice.fingerprint}, not a key of mallory`,
  });
});

it('refuses what is not a signature, without echoing it', async () => {
  const file = await people();
  const valid = sshSign(statement(), alice.file);
  const body = valid.split('\n').slice(1, -1).join('');
  const cases = [
    'not a signature',
    '-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----',
    Buffer.from('SSHSIG\0\0\0\x02').toString('base64'),
    body.slice(0, 60),
    body.slice(0, -8) + 'AAAAAAAA',
  ];
  for (const signature of cases) {
    const check = checkAnswerSignature({ statement: statement(), signature, by: 'alice' }, file);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).not.toContain(signature.slice(0, 20));
  }
  // The base64 body alone (one line, easy to paste into JSON) is the same signature.
  expect(checkAnswerSignature({ statement: statement(), signature: body, by: 'alice' }, file).ok).toBe(true);
});

it.each(['ecdsa-256', 'ecdsa-384', 'ecdsa-521'] as const)('verifies %s keys', async (type) => {
  const key = makeKey(dir, `dave-${type}`, type);
  const text = statement({}, 'dave');
  const check = checkAnswerSignature({ statement: text, signature: sshSign(text, key.file), by: 'dave' }, await people({ dave: { keys: [key] } }));
  expect(check).toEqual({ ok: true, fingerprint: key.fingerprint, keyType: `ecdsa-sha2-nistp${type.split('-')[1]}` });
  expect(
    checkAnswerSignature(
      { statement: statement({ step: 'other' }, 'dave'), signature: sshSign(text, key.file), by: 'dave' },
      await people({ dave: { keys: [key] } }),
    ).ok,
  ).toBe(false);
});

it.each(['ed25519', 'ecdsa'] as const)(
  'verifies FIDO2 security-key (%s-sk) signatures that OpenSSH accepts, and only when the key was touched',
  async (kind) => {
    const token = securityKey(kind);
    const file = await people({ erin: { keys: [{ line: token.line, file: '', fingerprint: '' }] } });
    const text = statement({}, 'erin');
    const touched = token.sign(text);
    expect(opensshVerifies(text, touched, token.line)).toBe(true);
    expect(checkAnswerSignature({ statement: text, signature: touched, by: 'erin' }, file)).toMatchObject({ ok: true, keyType: token.line.split(' ')[0] });
    expect(checkAnswerSignature({ statement: statement({ plan: 'c'.repeat(64) }, 'erin'), signature: touched, by: 'erin' }, file).ok).toBe(false);
    // Valid to OpenSSH's `-Y verify` (which leaves touch policy to its caller), refused here: a signature nobody touched for proves no person.
    const untouched = token.sign(text, { flags: 0 });
    expect(opensshVerifies(text, untouched, token.line)).toBe(true);
    expect(checkAnswerSignature({ statement: text, signature: untouched, by: 'erin' }, file)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not touched'),
    });
  },
);

it('says where a people file is wrong, and never takes a credential inline', async () => {
  const file = path.join(dir, 'bad-people.yaml');
  writeFileSync(file, 'people:\n  alice:\n    keys:\n      - ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ alice\n');
  await expect(loadPeopleFile(file)).rejects.toThrow(BadPeopleFile);
  await expect(loadPeopleFile(file)).rejects.toThrow(/people\.alice\.keys\[0\]/);
  writeFileSync(file, 'people:\n  alice:\n    key: []\n');
  await expect(loadPeopleFile(file)).rejects.toThrow('people.alice: unknown field `key` (expected `keys`, `revoked`, `slack`)');
  writeFileSync(file, 'people:\n  alice: { slack: "<@everyone>" }\n');
  await expect(loadPeopleFile(file)).rejects.toThrow('people.alice.slack must be a Slack user id such as U012AB3CD');
  writeFileSync(file, 'notify:\n  default: [nowhere]\n');
  await expect(loadPeopleFile(file)).rejects.toThrow('notify names channel `nowhere`, which `channels` does not define');
  writeFileSync(file, 'channels:\n  chat: { slack: { token: xoxb-inline-secret, channel: C1 } }\n');
  await expect(loadPeopleFile(file)).rejects.toThrow(/channels\.chat must be one of/);
  writeFileSync(file, 'notify:\n  remind: soon\n');
  await expect(loadPeopleFile(file)).rejects.toThrow('notify.remind: `soon` is not a duration such as 10m');
  writeFileSync(file, 'groupz:\n  oncall: [alice]\n');
  await expect(loadPeopleFile(file)).rejects.toThrow('unknown section `groupz` (expected groups, people, channels, notify, slackBridge)');
  writeFileSync(file, `people:\n  alice:\n    keys: ["ssh-ed25519 ${alice.line.split(' ')[1]!.slice(0, -4)}"]\n`);
  await expect(loadPeopleFile(file)).rejects.toThrow(/people\.alice\.keys\[0\]/);
});

it("accepts the Slack bridge's key only for a click, for the clicker's own name, where trusted", async () => {
  const bridge = makeKey(dir, 'bridge');
  const file = path.join(dir, `people-bridge.yaml`);
  writeFileSync(
    file,
    `people:\n  alice: { slack: U0ALICE, keys: ["${alice.line}"] }\nslackBridge:\n  keys: ["${bridge.line}"]\n  trust: [restart-api/approve_restart]\n`,
  );
  const people = await loadPeopleFile(file);
  const text = statement();
  const signature = sshSign(text, bridge.file);
  const check = (slack?: { user: string; runbook: string; step: string }) =>
    checkAnswerSignature({ statement: text, signature, by: 'alice', ...(slack && { slack }) }, people);
  expect(check({ user: 'U0ALICE', runbook: 'restart-api', step: 'approve_restart' })).toMatchObject({ ok: true, keyType: 'slack-bridge (ssh-ed25519)' });
  expect(check()).toMatchObject({ ok: false, reason: 'signed with the Slack bridge key, but the answer did not come from Slack' });
  expect(check({ user: 'U0MALLORY', runbook: 'restart-api', step: 'approve_restart' })).toMatchObject({
    ok: false,
    reason: 'the Slack bridge signed for alice, but Slack user U0MALLORY is not alice',
  });
  expect(check({ user: 'U0ALICE', runbook: 'restart-api', step: 'approve_rollback' })).toMatchObject({
    ok: false,
    reason: expect.stringContaining('does not trust Slack clicks'),
  });
});
