// Where requests for people go: the `channels` and `notify` sections of the people file. A
// channel is a Slack bot (token and channel: posts can be updated and are posted once), a Slack
// incoming webhook, a signed webhook (Standard Webhooks), or PagerDuty Events v2. Credentials
// are references to the worker's environment, read when a message is sent, never in history.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseDuration } from '../../dsl/durations';

const EnvRef = Type.Object({ env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) }, { additionalProperties: false });
export type EnvRef = Static<typeof EnvRef>;

const Channel = Type.Union([
  Type.Object(
    { slack: Type.Object({ token: EnvRef, channel: Type.String({ minLength: 1 }) }, { additionalProperties: false }) },
    { additionalProperties: false },
  ),
  Type.Object({ slack: Type.Object({ webhook: EnvRef }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object(
    { webhook: Type.Object({ url: Type.String({ pattern: '^https?://' }), secret: Type.Optional(EnvRef) }, { additionalProperties: false }) },
    { additionalProperties: false },
  ),
  Type.Object({ pagerduty: Type.Object({ routingKey: EnvRef }, { additionalProperties: false }) }, { additionalProperties: false }),
]);
export type Channel = Static<typeof Channel>;

const Names = Type.Array(Type.String({ minLength: 1 }));
const Routes = Type.Record(Type.String(), Names);
const Escalate = Type.Object({ after: Type.String(), to: Names }, { additionalProperties: false });

const NotifySection = Type.Object(
  {
    default: Type.Optional(Names),
    people: Type.Optional(Routes),
    groups: Type.Optional(Routes),
    runbooks: Type.Optional(Routes),
    remind: Type.Optional(Type.String()),
    escalate: Type.Optional(Escalate),
  },
  { additionalProperties: false },
);

export interface NotifyConfig {
  channels: Record<string, Channel>;
  default: string[];
  people: Record<string, string[]>;
  groups: Record<string, string[]>;
  runbooks: Record<string, string[]>;
  remindMs?: number;
  escalate?: { afterMs: number; to: string[] };
}

export const NO_NOTIFY: NotifyConfig = { channels: {}, default: [], people: {}, groups: {}, runbooks: {} };

/** The two sections, checked; a problem is thrown as text naming where it is. */
export function readNotifyConfig(rawChannels: unknown, rawNotify: unknown): NotifyConfig {
  const channels: Record<string, Channel> = {};
  for (const [name, raw] of Object.entries(rawChannels ?? {})) {
    if (!Value.Check(Channel, raw))
      throw new Error(
        `channels.${name} must be one of { slack: { token: { env }, channel } }, { slack: { webhook: { env } } }, { webhook: { url, secret: { env } } }, { pagerduty: { routingKey: { env } } }`,
      );
    channels[name] = raw;
  }
  const notify = rawNotify ?? {};
  if (!Value.Check(NotifySection, notify)) {
    const first = [...Value.Errors(NotifySection, notify)][0];
    throw new Error(`notify${first?.path.replace(/\//g, '.') ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  const config: NotifyConfig = {
    channels,
    default: notify.default ?? [],
    people: notify.people ?? {},
    groups: notify.groups ?? {},
    runbooks: notify.runbooks ?? {},
    ...(notify.remind !== undefined && { remindMs: duration('notify.remind', notify.remind) }),
    ...(notify.escalate && { escalate: { afterMs: duration('notify.escalate.after', notify.escalate.after), to: notify.escalate.to } }),
  };
  const routed = [config.default, ...Object.values(config.people), ...Object.values(config.groups), ...Object.values(config.runbooks)].flat();
  const unknown = routed.find((c) => !Object.hasOwn(channels, c));
  if (unknown !== undefined) throw new Error(`notify names channel \`${unknown}\`, which \`channels\` does not define`);
  return config;
}

function duration(where: string, text: string): number {
  const ms = parseDuration(text);
  if (!ms) throw new Error(`${where}: \`${text}\` is not a duration such as 10m`);
  return ms;
}

/** The channels told about a request: those of the runbook and of each person and group asked, or the default. */
export function channelsFor(config: NotifyConfig, names: readonly string[], runbook: string | undefined): string[] {
  const own = (routes: Record<string, string[]>, key: string): string[] => (Object.hasOwn(routes, key) ? routes[key]! : []);
  const chosen = new Set<string>(runbook !== undefined ? own(config.runbooks, runbook) : []);
  for (const name of names) {
    const routes = name.startsWith('group:') ? own(config.groups, name.slice('group:'.length)) : own(config.people, name);
    for (const c of routes) chosen.add(c);
  }
  return chosen.size > 0 ? [...chosen].sort() : [...config.default];
}
