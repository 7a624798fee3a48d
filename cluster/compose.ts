// What the local cluster takes from docker-compose.yml, so that the two cannot drift: the
// Temporal version (the server image's tag, one for all four services and admin-tools), the
// PostgreSQL major version, the server's settings (x-temporal-env, interpolated as Compose does),
// the workers' and receivers' shared settings, and how many of each the compose file runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../repository/project';

export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');

/** The four services of one Temporal cluster, as `temporal-server start --service` names them. */
export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

export interface ComposeTopology {
  temporalVersion: string;
  /** The Web UI server's version and settings (its image's config template reads them). */
  uiVersion: string;
  uiEnv: Record<string, string>;
  postgresMajor: number;
  /** The server's settings, for every Temporal process; file paths as on this machine. */
  temporalEnv: Record<string, string>;
  /** The PostgreSQL superuser the compose file creates, and its password. */
  postgres: { user: string; password: string };
  /** TEMPORAL_NAMESPACE and RUNBOOK_TASK_QUEUE of the workers and receivers. */
  namespace: string;
  taskQueue: string;
  workers: number;
  receivers: number;
}

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}

export function readComposeTopology(file = COMPOSE_FILE, env: NodeJS.ProcessEnv = process.env): ComposeTopology {
  const doc = parse(readFileSync(file, 'utf8'), { merge: true, maxAliasCount: 1000 }) as { services: Record<string, ComposeService> };
  const services = Object.entries(doc.services);
  const fail = (what: string): never => {
    throw new Error(`${path.relative(process.cwd(), file)}: ${what}`);
  };
  const tagsOf = (image: string) => [...new Set(services.flatMap(([, s]) => (s.image?.startsWith(`${image}:`) ? [s.image.slice(image.length + 1)] : [])))];
  const serverTags = tagsOf('temporalio/server');
  const toolTags = tagsOf('temporalio/admin-tools');
  if (serverTags.length !== 1 || !/^\d+\.\d+\.\d+$/.test(serverTags[0]!))
    fail(`every temporalio/server image must have one X.Y.Z tag (found ${serverTags.join(', ') || 'none'})`);
  if (toolTags.length !== 1 || toolTags[0] !== serverTags[0])
    fail(`temporalio/admin-tools must have the server's tag ${serverTags[0]} (found ${toolTags.join(', ') || 'none'})`);
  const postgresTags = tagsOf('postgres');
  if (postgresTags.length !== 1 || !/^\d+$/.test(postgresTags[0]!))
    fail(`the postgres image must have a major-version tag (found ${postgresTags.join(', ') || 'none'})`);

  const uiTags = tagsOf('temporalio/ui');
  if (uiTags.length !== 1 || !/^\d+\.\d+\.\d+$/.test(uiTags[0]!))
    fail(`the temporalio/ui image must have one X.Y.Z tag (found ${uiTags.join(', ') || 'none'})`);
  const ui = services.find(([, s]) => s.image?.startsWith('temporalio/ui:'))![1];

  const byCommand = (script: string) => services.filter(([, s]) => s.command?.includes(script));
  const workers = byCommand('dist/worker/main.js');
  const receivers = byCommand('dist/triggers/main.js');
  const frontend = services.find(([, s]) => s.environment?.TEMPORAL_SERVICES === 'frontend')?.[1] ?? fail('no service runs the Temporal frontend');
  const postgresql = services.find(([, s]) => s.image?.startsWith('postgres:'))![1];
  const settingsOf = (s: ComposeService) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env, fail)]));

  // A setting that names a file the compose file mounts is that file here.
  const mounts = new Map(
    (frontend.volumes ?? []).map((v) => {
      const [host, container] = v.split(':');
      return [container!, path.resolve(path.dirname(file), host!)] as const;
    }),
  );
  const { TEMPORAL_SERVICES: _one, ...serverSettings } = settingsOf(frontend);
  const temporalEnv = Object.fromEntries(Object.entries(serverSettings).map(([k, v]) => [k, mounts.get(v) ?? v]));
  const pg = settingsOf(postgresql);
  const worker = settingsOf(workers[0]?.[1] ?? fail('no service runs dist/worker/main.js'));
  return {
    temporalVersion: serverTags[0]!,
    uiVersion: uiTags[0]!,
    uiEnv: settingsOf(ui),
    postgresMajor: Number(postgresTags[0]),
    temporalEnv,
    postgres: { user: pg.POSTGRES_USER ?? fail('postgresql: no POSTGRES_USER'), password: pg.POSTGRES_PASSWORD ?? fail('postgresql: no POSTGRES_PASSWORD') },
    namespace: worker.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: worker.RUNBOOK_TASK_QUEUE ?? 'runbooks',
    workers: workers.length,
    receivers: receivers.length,
  };
}

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME-default}`; any other form is refused rather than misread. */
function interpolate(value: string, env: NodeJS.ProcessEnv, fail: (what: string) => never): string {
  return value.replace(/\$\{([^}]*)\}/g, (whole, body: string) => {
    const match =
      /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/.exec(body) ?? fail(`${whole}: only \${NAME}, \${NAME:-default} and \${NAME-default} are understood here`);
    const [, name, op, fallback] = match;
    const set = env[name!];
    if (op === ':-') return set ? set : fallback!;
    if (op === '-') return set ?? fallback!;
    return set ?? '';
  });
}
