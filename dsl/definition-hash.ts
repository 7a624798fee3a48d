// The hash that names a runbook's behaviour: sha256 of its compiled definition, with positions,
// file names and comments left out. The compiler sets it; the workflow recomputes it from the
// definition it was handed before admitting a run, so the field itself is never trusted.
import type { CompiledRunbook } from './compiled';
import { canonicalJson, sha256Hex } from './hash';

type Definition = Omit<CompiledRunbook, 'hash' | 'file'>;

export function definitionHash(definition: Definition): string {
  return sha256Hex(canonicalJson(behaviour(definition)));
}

/**
 * The definition without what only says where it came from: each step's `loc`, and each
 * embedded child's `file`. Nothing else is left out, at any depth: a `file` or `loc` key inside
 * a step's parameters, or a secret's `file`, is behaviour. (Runbooks without such keys hash as
 * they did before these were covered, so runs in flight at an upgrade stay admitted.)
 */
function behaviour(definition: Definition): unknown {
  const steps = Object.fromEntries(Object.entries(definition.steps).map(([id, { loc: _loc, ...step }]) => [id, step]));
  const children = Object.fromEntries(Object.entries(definition.children).map(([name, { file: _file, ...child }]) => [name, behaviour(child)]));
  return { ...definition, steps, children };
}

/** The hash of a compiled runbook as it is, whatever its `hash` field says. */
export function recomputeHash(runbook: CompiledRunbook): string {
  const { hash: _hash, file: _file, ...definition } = runbook;
  return definitionHash(definition);
}

/** Every runbook embedded in this one (children, their children...), each once. */
export function nestedChildren(runbook: CompiledRunbook): CompiledRunbook[] {
  const found = new Map<string, CompiledRunbook>();
  const visit = (r: CompiledRunbook) => {
    for (const child of Object.values(r.children)) {
      if (found.has(child.hash)) continue;
      found.set(child.hash, child);
      visit(child);
    }
  };
  visit(runbook);
  return [...found.values()];
}
