// Who `group:<name>` means, from the groups file (RUNBOOK_GROUPS_FILE, default
// config/groups.yaml). Read at the moment an approval or decision is requested, so the
// membership that applied is in that run's history.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../repository/project';
import type { People, PeopleActivities } from '../../contract/activities';

export function groupsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNBOOK_GROUPS_FILE ?? path.join(PROJECT_ROOT, 'config', 'groups.yaml');
}

export async function loadGroups(file: string): Promise<Record<string, string[]>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const doc = parse(text) as { groups?: Record<string, unknown> } | null;
  const groups: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(doc?.groups ?? {})) {
    if (!Array.isArray(members) || !members.every((m) => typeof m === 'string')) {
      throw ApplicationFailure.create({ type: 'BadGroupsFile', message: `${file}: group \`${name}\` must be a list of names`, nonRetryable: true });
    }
    groups[name] = members.map((m) => m.trim());
  }
  return groups;
}

export function peopleActivities(file = groupsFile()): PeopleActivities {
  return {
    async resolvePeople(names: string[]): Promise<People> {
      return resolvePeople(names, await loadGroups(file));
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
