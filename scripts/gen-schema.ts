// Writes runbooks/runbook.schema.json from the one schema definition (dsl/schema.ts) and the
// built-in actions, and runbooks/runbook-test.schema.json from dsl/test-file.ts. `npm run schema`;
// a test fails when a committed file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_ACTIONS } from '../activities/registry';
import { editorSchemaText, testFileSchemaText } from '../dsl/editor-schema';
import { PROJECT_ROOT } from '../repository/project';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'runbooks', 'runbook.schema.json');
export const TEST_SCHEMA_FILE = path.join(PROJECT_ROOT, 'runbooks', 'runbook-test.schema.json');

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, editorSchemaText(BUILTIN_ACTIONS));
  writeFileSync(TEST_SCHEMA_FILE, testFileSchemaText());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)} and ${path.relative(process.cwd(), TEST_SCHEMA_FILE)}`);
}
