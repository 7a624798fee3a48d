// The example runbooks the project ships, by name. Tests use this list, never a listing of
// runbooks/, so a user's own files placed there (a habit the docs steer away from, see
// docs/your-runbooks.md) change no test; test/unit/examples.test.ts keeps the list equal to
// the files git tracks.
import path from 'node:path';

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'runbooks');

export const EXAMPLE_NAMES = [
  'certificate-expiry',
  'crashloop-pod',
  'db-connections-saturated',
  'disk-almost-full',
  'high-error-rate',
  'notify-oncall',
  'queue-backlog',
  'smoke-check',
] as const;

/** Paths relative to the project root: `runbooks/<name>.yaml`. */
export const EXAMPLE_FILES = EXAMPLE_NAMES.map((n) => `runbooks/${n}.yaml`);
export const EXAMPLE_TEST_FILES = EXAMPLE_NAMES.map((n) => `runbooks/${n}.test.yaml`);
