// Writes runbooks/runbook.schema.json from the one schema definition (dsl/schema.ts) and the
// built-in actions. `npm run schema`; a test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_ACTIONS } from '../activities/registry';
import { editorSchemaText } from '../dsl/editor-schema';
import { PROJECT_ROOT } from '../repository/project';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'runbooks', 'runbook.schema.json');

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, editorSchemaText(BUILTIN_ACTIONS));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
