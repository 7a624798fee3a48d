// Signing an answer where the operator is: OpenSSH's own `ssh-keygen -Y sign` signs the
// statement (contract/signing.ts), so ssh-agent, passphrases and hardware keys work as they do
// for signed Git commits. The private key never passes through this process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { SignedFields } from '../contract/messages';
import type { Pending, StatusView } from '../contract/run';
import { answerStatement, SIGNATURE_NAMESPACE, statementText, type SignedAnswer } from '../contract/signing';

export interface SignOptions {
  /** A private key file, or a public key whose private half ssh-agent holds; default RUNBOOK_SIGNING_KEY or ~/.ssh/id_ed25519 (then id_ed25519_sk, id_ecdsa, id_ecdsa_sk). */
  key?: string;
  /** How long the signature stays valid. */
  expiresInMs: number;
}

export const DEFAULT_SIGNATURE_LIFETIME = '15m';

export function defaultSigningKey(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.RUNBOOK_SIGNING_KEY) return env.RUNBOOK_SIGNING_KEY;
  const candidates = ['id_ed25519', 'id_ed25519_sk', 'id_ecdsa', 'id_ecdsa_sk'].map((f) => path.join(home, '.ssh', f));
  const found = candidates.find((f) => existsSync(f) || existsSync(`${f}.pub`));
  if (!found) throw new Error(`no SSH key to sign with: pass --key, set RUNBOOK_SIGNING_KEY, or create ${candidates[0]} (ssh-keygen -t ed25519)`);
  return existsSync(found) ? found : `${found}.pub`;
}

/** `ssh-keygen -Y sign` over the statement on stdin; the armored signature it prints. */
export function sshSign(statement: string, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // stderr goes to the terminal: ssh-keygen asks for a passphrase or a touch of the security key there.
    const child = spawn('ssh-keygen', ['-Y', 'sign', '-n', SIGNATURE_NAMESPACE, '-f', key], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (err) => reject(new Error(`cannot run ssh-keygen (OpenSSH 8.2 or later signs): ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0 && out.includes('BEGIN SSH SIGNATURE')) resolve(out.trim());
      else reject(new Error(`ssh-keygen could not sign with ${key} (exit ${code})`));
    });
    child.stdin.end(statement);
  });
}

/** The wait a step's answer is for, from the run's status. */
export function waitOf(workflowId: string, status: StatusView, step: string): { pending: Pending; plan: string } {
  const pending = status.pending.find((p) => p.step === step);
  if (!pending) throw new Error(`step ${step} of ${workflowId} is not waiting for anyone`);
  return { pending, plan: pending.kind === 'approval' ? pending.planHash : pending.questionHash };
}

/** Signs an answer for the wait it answers now: the `expires` and `signature` fields of its request. */
export async function signAnswer(
  workflowId: string,
  status: StatusView,
  answer: Omit<SignedAnswer, 'expires'> & { step: string },
  options: SignOptions,
): Promise<Required<Pick<SignedFields, 'expires' | 'signature'>>> {
  const { pending, plan } = waitOf(workflowId, status, answer.step);
  const expires = new Date(Date.now() + options.expiresInMs).toISOString();
  const statement = answerStatement(
    { workflowId, firstRunId: status.firstRunId, step: answer.step, requestedAt: pending.requestedAt, plan },
    { ...answer, expires },
  );
  return { expires, signature: await sshSign(statementText(statement), options.key ?? defaultSigningKey()) };
}
