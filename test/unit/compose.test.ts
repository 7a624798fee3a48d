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
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: `apt-get install docker-compose` (.ci/run does this)');
    throw new Error(`docker-compose config -q failed: ${e.stderr?.toString() ?? e.message}`);
  }
});

it('runs PostgreSQL, Temporal, its UI, the worker and the receiver against that Temporal', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
  expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'receiver']));
  expect(compose.services.worker!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(compose.services.receiver!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
});
