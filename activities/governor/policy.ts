// The worker's fleet policy (RUNBOOK_FLEET_POLICY, default config/fleet.yaml; none: no budgets):
// budgets shared by every runbook, the default circuit breaker, and how often the governor checks
// its holders. Read once at worker start, so that a typo stops the worker instead of a run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_FLEET_POLICY, type FleetPolicy } from '../../contract/guards';
import { parseDuration } from '../../dsl/durations';
import { isRecord } from '../../dsl/values';
import { PROJECT_ROOT } from '../../repository/project';

export function fleetPolicyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNBOOK_FLEET_POLICY ?? path.join(PROJECT_ROOT, 'config', 'fleet.yaml');
}

export function loadFleetPolicy(file = fleetPolicyFile()): FleetPolicy {
  if (!existsSync(file)) return DEFAULT_FLEET_POLICY;
  return parseFleetPolicy(readFileSync(file, 'utf8'), file);
}

const BUDGET_KEYS = ['name', 'match', 'limit', 'per', 'onExceeded', 'description'];
const LABELS = ['runbook', 'step', 'uses', 'service', 'namespace'];

export function parseFleetPolicy(text: string, file: string): FleetPolicy {
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  const doc: unknown = parse(text) ?? {};
  if (!isRecord(doc)) return fail('the fleet policy must be a mapping');
  for (const key of Object.keys(doc)) if (!['budgets', 'breaker', 'watchEvery'].includes(key)) fail(`unknown key \`${key}\` (budgets, breaker, watchEvery)`);
  const duration = (v: unknown, where: string) => (typeof v === 'string' ? parseDuration(v) : undefined) ?? fail(`${where} must be a duration such as 10m`);
  const count = (v: unknown, where: string) =>
    Number.isInteger(v) && (v as number) >= 1 ? (v as number) : fail(`${where} must be a whole number of at least 1`);
  const budgets = (Array.isArray(doc.budgets) ? doc.budgets : doc.budgets === undefined ? [] : fail('`budgets` must be a list')).map(
    (b: unknown, i: number) => {
      const at = `budgets[${i}]`;
      if (!isRecord(b)) return fail(`${at} must be a mapping`);
      for (const key of Object.keys(b)) if (!BUDGET_KEYS.includes(key)) fail(`${at}: unknown key \`${key}\``);
      if (typeof b.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(b.name)) fail(`${at}.name must be lower case letters, digits and dashes`);
      const match = isRecord(b.match) ? b.match : fail(`${at}.match must map labels (${LABELS.join(', ')}) to values`);
      for (const [label, value] of Object.entries(match)) {
        if (!LABELS.includes(label)) fail(`${at}.match: unknown label \`${label}\` (${LABELS.join(', ')})`);
        if (typeof value !== 'string') fail(`${at}.match.${label} must be a string`);
      }
      const onExceeded = b.onExceeded ?? 'queue';
      if (onExceeded !== 'queue' && onExceeded !== 'skip' && onExceeded !== 'fail') fail(`${at}.onExceeded must be queue, skip or fail`);
      return {
        name: b.name as string,
        match: match as Record<string, string>,
        limit: count(b.limit, `${at}.limit`),
        perMs: duration(b.per, `${at}.per`),
        onExceeded: onExceeded as 'queue' | 'skip' | 'fail',
      };
    },
  );
  const names = budgets.map((b) => b.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) fail(`budget \`${twice}\` is declared twice`);
  let breaker: FleetPolicy['breaker'];
  if (doc.breaker !== undefined) {
    const b = isRecord(doc.breaker) ? doc.breaker : fail('`breaker` must be a mapping: { failures, within, per }');
    const per = b.per ?? 'runbook';
    if (per !== 'runbook' && per !== 'key') fail('breaker.per must be runbook or key');
    breaker = { failures: count(b.failures, 'breaker.failures'), withinMs: duration(b.within, 'breaker.within'), per: per as 'runbook' | 'key' };
  }
  const watchEveryMs = doc.watchEvery === undefined ? DEFAULT_FLEET_POLICY.watchEveryMs : duration(doc.watchEvery, 'watchEvery');
  if (watchEveryMs < 1000) fail('watchEvery must be at least 1s');
  return { budgets, ...(breaker && { breaker }), watchEveryMs };
}
