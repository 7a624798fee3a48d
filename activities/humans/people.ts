// Who may answer a run, and whether their answer is really theirs: `group:<name>` resolved from
// the people file when an approval or decision is requested, and an answer's SSH signature
// checked against the keys the file lists when it arrives. Both read the file at that moment,
// so the membership and keys that applied are in the run's history, with the worker's policy.
import { ApplicationFailure } from '@temporalio/common';
import type { People, PeopleActivities } from '../../contract/activities';
import { BadPeopleFile, loadPeopleFile, peopleFile, type PeopleFile } from './people-file';
import { channelsFor } from './notify-config';
import { checkAnswerSignature } from './signatures';

export interface PeoplePolicy {
  /** The people file; default RUNBOOK_PEOPLE_FILE or config/people.yaml. */
  file?: string;
  /** Every approval and human decision must be signed (RUNBOOK_REQUIRE_SIGNATURES=true): for production. */
  requireSignatures?: boolean;
}

/** RUNBOOK_REQUIRE_SIGNATURES: `true`/`1` or `false`/`0` (unset: false); anything else stops the worker. */
export function requireSignaturesFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.RUNBOOK_REQUIRE_SIGNATURES?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new Error(`RUNBOOK_REQUIRE_SIGNATURES must be true or false, not \`${env.RUNBOOK_REQUIRE_SIGNATURES}\``);
}

export function peopleActivities(policy: PeoplePolicy = {}): PeopleActivities {
  const file = policy.file ?? peopleFile();
  const requireSignatures = policy.requireSignatures ?? requireSignaturesFromEnv();
  return {
    async resolvePeople(names: string[], _step?: string, runbook?: string): Promise<People> {
      let people: PeopleFile;
      try {
        people = await loadPeopleFile(file);
      } catch (err) {
        if (err instanceof BadPeopleFile) throw ApplicationFailure.create({ type: 'BadPeopleFile', message: err.message, nonRetryable: true });
        throw err;
      }
      const { remindMs, escalate } = people.notify;
      const channels = channelsFor(people.notify, names, runbook);
      return {
        ...resolvePeople(names, people.groups),
        ...(requireSignatures && { signaturesRequired: true }),
        ...(channels.length > 0 && { notify: { channels, ...(remindMs !== undefined && { remindMs }), ...(escalate && { escalate }) } }),
      };
    },
    // Never throws for a bad file or signature: a refusal is an answer the run records (a failure here would fail the run's task).
    async checkSignature(request) {
      try {
        return checkAnswerSignature(request, await loadPeopleFile(file));
      } catch (err) {
        return { ok: false, reason: `the signature could not be checked: ${(err as Error).message}` };
      }
    },
  };
}

/** The people a list names: people as given, `group:<name>` as the group's members. */
export function resolvePeople(names: readonly string[], groups: Readonly<Record<string, readonly string[]>>): People {
  const eligible = new Set<string>();
  const unknownGroups: string[] = [];
  for (const name of names) {
    if (!name.startsWith('group:')) {
      eligible.add(name);
      continue;
    }
    const members = Object.hasOwn(groups, name.slice('group:'.length)) ? groups[name.slice('group:'.length)] : undefined;
    if (members) members.forEach((m) => eligible.add(m));
    else unknownGroups.push(name);
  }
  return { eligible: [...eligible].sort(), unknownGroups };
}
