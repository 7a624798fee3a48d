// Where the project is on disk, for default locations (runbooks/, config/, .data/, .tools/):
// the source checkout when run with ts-node or jest, the same folder when run from dist/.
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', path.basename(path.resolve(__dirname, '..')) === 'dist' ? '..' : '.');
