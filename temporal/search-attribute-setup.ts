// Registers the search attributes the workflow sets, on any Temporal cluster we can reach
// with operator rights (`runbook setup`). Idempotent: existing attributes are left alone.
// Temporal Cloud manages search attributes in its own UI/tcld instead; see docs/operations.md.
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';

export async function registerSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const operator = client.connection.operatorService;
  const existing = await operator.listSearchAttributes({ namespace });
  const known = { ...existing.customAttributes, ...existing.systemAttributes };
  const missing = SEARCH_ATTRIBUTES.filter((a) => !(a.name in known));
  if (missing.length > 0) await addSearchAttributes(client, namespace, missing);
  return missing.map((a) => a.name);
}

/** Adds these attributes (every one is a keyword), without asking what exists (the test server cannot list them). */
export async function addSearchAttributes(client: Client, namespace: string, attributes: ReadonlyArray<{ name: string }>): Promise<void> {
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(attributes.map((a) => [a.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
}
