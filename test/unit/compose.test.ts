// docker-compose.yml describes the production topology; without a Docker engine we can still
// have Compose parse and check it, and check that the cluster (`npm run cluster`, which CI runs
// for real) reads its versions and settings from it rather than from a copy that could drift.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readComposeTopology } from '../../cluster/compose';

const root = path.join(__dirname, '..', '..');
const COMPOSE = path.join(root, 'docker-compose.yml');

type Service = {
  image?: string;
  environment?: Record<string, string>;
  ports?: Array<string | { published: number; target: number; host_ip?: string }>;
  volumes?: string[];
};

/** The file as Compose resolves it (anchors merged, variables interpolated). */
function resolved(env: NodeJS.ProcessEnv = {}): Record<string, Service> {
  try {
    return (
      parse(execFileSync('docker-compose', ['config'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' })) as {
        services: Record<string, Service>;
      }
    ).services;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: `apt-get install docker-compose` (.ci/run does this)', { cause: err });
    throw new Error(`docker-compose config failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
}

it('is a valid Compose file (docker-compose config -q)', () => {
  expect(() => execFileSync('docker-compose', ['config', '-q'], { cwd: root, stdio: 'pipe' })).not.toThrow();
});

it("runs PostgreSQL, Temporal's four services, its UI, two workers and two receivers against that Temporal", () => {
  const services = resolved();
  expect(Object.keys(services).sort()).toEqual(
    [
      'postgresql',
      'temporal-schema',
      'temporal-frontend',
      'temporal-history',
      'temporal-matching',
      'temporal-worker',
      'temporal-ui',
      'setup',
      'worker-1',
      'worker-2',
      'receiver-1',
      'receiver-2',
    ].sort(),
  );
  for (const name of ['worker-1', 'worker-2', 'receiver-1', 'receiver-2', 'setup'])
    expect([name, services[name]!.environment!.TEMPORAL_ADDRESS]).toEqual([name, 'temporal-frontend:7233']);
  for (const service of ['frontend', 'history', 'matching', 'worker']) expect(services[`temporal-${service}`]!.environment!.TEMPORAL_SERVICES).toBe(service);
  // Two receivers on two host ports.
  const published = ['receiver-1', 'receiver-2'].map((name) => {
    const port = services[name]!.ports![0]!;
    return typeof port === 'string' ? port.split(':').at(-2) : String(port.published);
  });
  expect(new Set(published).size).toBe(2);
});

it('publishes Temporal and its Web UI on loopback only, and never admits runbooks it does not serve', () => {
  const services = resolved();
  for (const name of ['temporal-frontend', 'temporal-ui']) {
    for (const port of services[name]!.ports ?? [])
      expect([name, typeof port === 'string' ? port : port.host_ip]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1/)]);
  }
  expect(readFileSync(COMPOSE, 'utf8')).not.toContain('RUNBOOK_DEV_ADMIT_ANY');
  for (const name of ['worker-1', 'worker-2']) expect(services[name]!.environment!.RUNBOOK_DIR).toBe('/app/runbooks');
});

it("serves the project's runbooks/ by default, and a team's own folder from RUNBOOK_HOST_DIR", () => {
  const mounts = (env: NodeJS.ProcessEnv) => {
    const services = resolved(env);
    return ['worker-1', 'worker-2', 'receiver-1', 'receiver-2'].map((name) => services[name]!.volumes!.find((v) => v.endsWith(':/app/runbooks:ro')));
  };
  expect(mounts({ RUNBOOK_HOST_DIR: '' })).toEqual(Array(4).fill(`${root}/runbooks:/app/runbooks:ro`));
  expect(mounts({ RUNBOOK_HOST_DIR: '/srv/sre-runbooks/runbooks' })).toEqual(Array(4).fill('/srv/sre-runbooks/runbooks:/app/runbooks:ro'));
});

describe('what the cluster reads from it', () => {
  it('takes the versions from the image tags and the server settings from x-temporal-env, as Compose resolves them', () => {
    const services = resolved({ POSTGRES_PASSWORD: 's3cret' });
    const topology = readComposeTopology(COMPOSE, { POSTGRES_PASSWORD: 's3cret' });
    expect(services['temporal-frontend']!.image).toBe(`temporalio/server:${topology.temporalVersion}`);
    expect(services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${topology.temporalVersion}`);
    expect(services['temporal-ui']!.image).toBe(`temporalio/ui:${topology.uiVersion}`);
    expect(services.postgresql!.image).toBe(`postgres:${topology.postgresMajor}`);
    const { TEMPORAL_SERVICES: _service, ...serverEnv } = services['temporal-frontend']!.environment!;
    // Every setting the containers get, the cluster's processes get; the mounted dynamic config is the repository's file.
    expect(Object.keys(topology.temporalEnv).sort()).toEqual(Object.keys(serverEnv).sort());
    expect(topology.temporalEnv.POSTGRES_PWD).toBe('s3cret');
    expect(topology.temporalEnv.DYNAMIC_CONFIG_FILE_PATH).toBe(path.join(root, 'config', 'temporal', 'dynamicconfig.yaml'));
    expect(topology.postgres).toEqual({ user: 'temporal', password: 's3cret' });
    expect(readComposeTopology(COMPOSE, {}).postgres.password).toBe('temporal');
    expect([topology.workers, topology.receivers, topology.taskQueue, topology.namespace]).toEqual([2, 2, 'runbooks', 'default']);
  });

  it('refuses a compose file whose Temporal images disagree, or whose variables it cannot read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    const text = readFileSync(COMPOSE, 'utf8');
    const variant = (from: string, to: string) => {
      const file = path.join(dir, 'docker-compose.yml');
      expect(text).toContain(from);
      writeFileSync(file, text.replace(from, to));
      return () => readComposeTopology(file, {});
    };
    expect(variant('temporalio/admin-tools:', 'temporalio/admin-tools:9')).toThrow(/admin-tools must have the server's tag/);
    expect(variant('  image: temporalio/server:', '  image: temporalio/server:1.0.0-')).toThrow(/one X.Y.Z tag/);
    expect(variant('${POSTGRES_PASSWORD:-temporal}', '${POSTGRES_PASSWORD:?required}')).toThrow(/only \$\{NAME\}/);
  });
});
