// The people file (RUNBOOK_PEOPLE_FILE, default config/people.yaml): who `group:<name>` means,
// and each person's SSH public keys, current and revoked. The worker reads it each time it
// resolves approvers or checks a signature, so an edit (a new member, a rotated or revoked key)
// applies to the next request without a restart, and what applied is in that run's history.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../repository/project';
import { isRecord } from '../../dsl/values';
import { parsePublicKeyLine, type PublicKey } from './sshsig';
import { NO_NOTIFY, readNotifyConfig, type NotifyConfig } from './notify-config';

export interface Person {
  keys: PublicKey[];
  /** Keys this person no longer uses: a signature by one is refused as revoked, however old. */
  revoked: PublicKey[];
  /** Their Slack user id (`U…`): mentioned in requests sent to Slack. */
  slack?: string;
}

export interface PeopleFile {
  groups: Record<string, string[]>;
  people: Record<string, Person>;
  /** Where requests for people are sent (the `channels` and `notify` sections). */
  notify: NotifyConfig;
  /** The Slack bridge: the receiver's keys, and the steps where its word stands for a signature. */
  slackBridge: { keys: PublicKey[]; trust: string[] };
}

/** Whether the Slack bridge's word stands for a signature at this step (`slackBridge.trust`: runbook/step, runbook, or `*`). */
export function slackTrusts(file: PeopleFile, runbook: string, step: string): boolean {
  const trust = file.slackBridge.trust;
  return file.slackBridge.keys.length > 0 && (trust.includes('*') || trust.includes(runbook) || trust.includes(`${runbook}/${step}`));
}

/** A people file that cannot be used, with where and why. */
export class BadPeopleFile extends Error {}

/** RUNBOOK_PEOPLE_FILE; RUNBOOK_GROUPS_FILE is its former name and still honoured. */
export function peopleFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNBOOK_PEOPLE_FILE ?? env.RUNBOOK_GROUPS_FILE ?? path.join(PROJECT_ROOT, 'config', 'people.yaml');
}

// The last text read and what it parsed to: every check reads the file, but parses it (and its
// keys) again only when the text changed. One entry per file path.
const parsed = new Map<string, { text: string; people: PeopleFile }>();

/** The file's content; a missing file means no groups and no keys (a fresh checkout with no people file). */
export async function loadPeopleFile(file: string): Promise<PeopleFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { groups: {}, people: {}, notify: NO_NOTIFY, slackBridge: { keys: [], trust: [] } };
    throw err;
  }
  const cached = parsed.get(file);
  if (cached?.text === text) return cached.people;
  const people = parsePeopleFile(file, text);
  parsed.set(file, { text, people });
  return people;
}

function parsePeopleFile(file: string, text: string): PeopleFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BadPeopleFile(`${file}: ${(err as Error).message}`);
  }
  if (doc !== null && !isRecord(doc)) throw new BadPeopleFile(`${file}: expected a mapping with \`groups\` and \`people\``);
  let notify: NotifyConfig;
  try {
    notify = readNotifyConfig(doc?.channels, doc?.notify);
  } catch (err) {
    throw new BadPeopleFile(`${file}: ${(err as Error).message}`);
  }
  const unknown = Object.keys(doc ?? {}).find((k) => !['groups', 'people', 'channels', 'notify', 'slackBridge'].includes(k));
  if (unknown !== undefined) throw new BadPeopleFile(`${file}: unknown section \`${unknown}\` (expected groups, people, channels, notify, slackBridge)`);
  return { groups: readGroups(file, doc?.groups), people: readPeople(file, doc?.people), notify, slackBridge: readBridge(file, doc?.slackBridge) };
}

function readBridge(file: string, raw: unknown): PeopleFile['slackBridge'] {
  if (raw === undefined || raw === null) return { keys: [], trust: [] };
  if (!isRecord(raw) || Object.keys(raw).some((k) => k !== 'keys' && k !== 'trust'))
    throw new BadPeopleFile(`${file}: \`slackBridge\` must be { keys: [public key lines], trust: [runbook/step, runbook or "*"] }`);
  const trust = raw.trust ?? [];
  if (!Array.isArray(trust) || !trust.every((t) => typeof t === 'string' && /^(\*|[a-z0-9][a-z0-9-]*(\/[a-z][a-z0-9_]*)?)$/.test(t)))
    throw new BadPeopleFile(`${file}: slackBridge.trust must list runbook/step, runbook or "*"`);
  return { keys: readKeys(file, 'slackBridge.keys', raw.keys), trust: trust as string[] };
}

function readGroups(file: string, raw: unknown): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new BadPeopleFile(`${file}: \`groups\` must map group names to lists of people`);
  const groups: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(raw)) {
    if (!Array.isArray(members) || !members.every((m) => typeof m === 'string')) throw new BadPeopleFile(`${file}: group \`${name}\` must be a list of names`);
    groups[name] = members.map((m) => m.trim());
  }
  return groups;
}

function readPeople(file: string, raw: unknown): Record<string, Person> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new BadPeopleFile(`${file}: \`people\` must map names to { keys, revoked }`);
  const people: Record<string, Person> = {};
  for (const [name, entry] of Object.entries(raw)) {
    const e = entry ?? {};
    if (!isRecord(e)) throw new BadPeopleFile(`${file}: people.${name} must be a mapping with \`keys\` (and \`revoked\`)`);
    const unknown = Object.keys(e).filter((k) => !['keys', 'revoked', 'slack'].includes(k));
    if (unknown.length > 0) throw new BadPeopleFile(`${file}: people.${name}: unknown field \`${unknown[0]}\` (expected \`keys\`, \`revoked\`, \`slack\`)`);
    if (e.slack !== undefined && (typeof e.slack !== 'string' || !/^[UW][A-Z0-9]{2,20}$/.test(e.slack)))
      throw new BadPeopleFile(`${file}: people.${name}.slack must be a Slack user id such as U012AB3CD`);
    people[name] = {
      keys: readKeys(file, `people.${name}.keys`, e.keys),
      revoked: readKeys(file, `people.${name}.revoked`, e.revoked),
      ...(typeof e.slack === 'string' && { slack: e.slack }),
    };
  }
  return people;
}

function readKeys(file: string, where: string, raw: unknown): PublicKey[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new BadPeopleFile(`${file}: ${where} must be a list of public key lines`);
  return raw.map((line, i) => {
    if (typeof line !== 'string') throw new BadPeopleFile(`${file}: ${where}[${i}] must be a public key line (\`ssh-ed25519 AAAA… comment\`)`);
    try {
      return parsePublicKeyLine(line);
    } catch (err) {
      throw new BadPeopleFile(`${file}: ${where}[${i}]: ${(err as Error).message}`);
    }
  });
}
