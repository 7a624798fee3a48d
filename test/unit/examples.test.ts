// The example list the tests use (test/helpers/examples.ts) is exactly what the repository ships.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { EXAMPLE_FILES, EXAMPLE_TEST_FILES } from '../helpers/examples';

it('names every runbook and test file git tracks in runbooks/, and nothing else', () => {
  const root = path.join(__dirname, '..', '..');
  // A clone always has git; a tree without it cannot tell shipped files from a user's.
  const tracked = execFileSync('git', ['ls-files', '--', 'runbooks/*.yaml'], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
  expect(tracked).toEqual([...EXAMPLE_FILES, ...EXAMPLE_TEST_FILES].sort());
});
