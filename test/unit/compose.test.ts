// docker-compose.yml describes the production-shaped stack; without a Docker engine we can
// still have Compose parse and check it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

const root = path.join(__dirname, '..', '..');

it('is a valid Compose file (docker-compose config -q)', () => {
  try {
    execFileSync('docker-compose', ['config', '-q'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: `apt-get install docker-compose` (.ci/run does this)', { cause: err });
    throw new Error(`docker-compose config -q failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
});

type Service = { environment?: Record<string, string>; ports?: string[]; volumes?: string[] };
const compose = () => parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

it('runs PostgreSQL, Temporal, its UI, the worker and the receiver against that Temporal', () => {
  const { services } = compose();
  expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'receiver']));
  expect(services.worker!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(services.receiver!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
});

it('publishes Temporal and its Web UI on loopback only, and never admits runbooks it does not serve', () => {
  const { services } = compose();
  for (const name of ['temporal', 'temporal-ui']) {
    for (const port of services[name]!.ports ?? []) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
  }
  expect(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')).not.toContain('RUNBOOK_DEV_ADMIT_ANY');
  expect(services.worker!.environment!.RUNBOOK_DIR).toBe('/app/runbooks');
});

it("serves the project's runbooks/ by default, and a team's own folder from RUNBOOK_HOST_DIR", () => {
  const mounts = (env: NodeJS.ProcessEnv) => {
    const { services } = parse(execFileSync('docker-compose', ['config'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' })) as {
      services: Record<string, Service>;
    };
    return ['worker', 'receiver'].map((name) => services[name]!.volumes!.find((v) => v.endsWith(':/app/runbooks:ro')));
  };
  expect(mounts({ RUNBOOK_HOST_DIR: '' })).toEqual([`${root}/runbooks:/app/runbooks:ro`, `${root}/runbooks:/app/runbooks:ro`]);
  expect(mounts({ RUNBOOK_HOST_DIR: '/srv/sre-runbooks/runbooks' })).toEqual([
    '/srv/sre-runbooks/runbooks:/app/runbooks:ro',
    '/srv/sre-runbooks/runbooks:/app/runbooks:ro',
  ]);
});
