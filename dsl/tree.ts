// The steps of a (possibly malformed) runbook as blocks, and the control flow between them.
// Top-level steps form one block; each block a kind nests (a parallel branch, a foreach body)
// is a block of its own, and a route (`next`, `onFailure`, a choice...) may only target a step
// of its block. What each kind nests and which routes it adds come from its descriptor.
import { FAIL, ROUTE_WORDS, SUCCEED } from './compiled-base';
import { kindByKey, STEP_KIND_KEYS } from './kinds';
import type { KindNode } from './kinds/kind';
import type { Path } from './load';
import { isRecord } from './values';

export interface StepNode extends KindNode {
  /** The key that makes the step what it is (`uses`, `wait`, ..., `end`); undefined when it has none, or several. */
  kind: string | undefined;
  /** Every kind key the step has (more than one is an error). */
  kindKeys: string[];
  block: Block;
}

export interface Block {
  role: 'top' | 'branch' | 'body';
  steps: StepNode[];
  owner?: StepNode;
  path: Path;
}

export interface Tree {
  top: Block;
  all: StepNode[];
  byId: Map<string, StepNode[]>;
  blocks: Block[];
}

export function buildTree(runbook: unknown): Tree {
  const tree: Tree = { top: { role: 'top', steps: [], path: ['steps'] }, all: [], byId: new Map(), blocks: [] };
  const steps = isRecord(runbook) && Array.isArray(runbook.steps) ? runbook.steps : [];
  fillBlock(tree, tree.top, steps);
  return tree;
}

function fillBlock(tree: Tree, block: Block, items: unknown[], pathOf = (index: number): Path => [...block.path, index]): void {
  tree.blocks.push(block);
  items.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const path = pathOf(index);
    const id = typeof raw.id === 'string' ? raw.id : `#${index + 1}`;
    const kindKeys = STEP_KIND_KEYS.filter((k) => raw[k] !== undefined);
    const kind = kindKeys.length === 1 ? kindKeys[0] : kindKeys.length === 0 && raw.end !== undefined ? 'end' : undefined;
    const node: StepNode = { id, raw, path, kind, kindKeys, block, index: block.steps.length };
    block.steps.push(node);
    tree.all.push(node);
    tree.byId.set(id, [...(tree.byId.get(id) ?? []), node]);
    // Defensive: a malformed step with two kinds still has its nested steps checked.
    for (const key of kindKeys) {
      for (const nested of kindByKey(key)?.nested?.(node) ?? []) {
        const inner: Block = { role: nested.role, steps: [], owner: node, path: nested.path };
        fillBlock(tree, inner, nested.steps, nested.single ? () => nested.path : undefined);
      }
    }
  });
}

export type Resolved =
  { kind: 'step'; node: StepNode } | { kind: 'word'; word: string } | { kind: 'exit' } | { kind: 'unknown' } | { kind: 'out-of-scope'; node: StepNode };

/** Resolves a route written in `from`'s block. */
export function resolveRoute(tree: Tree, from: StepNode, route: unknown): Resolved {
  if (typeof route !== 'string') return { kind: 'unknown' };
  if (ROUTE_WORDS.includes(route)) return { kind: 'word', word: route };
  const candidates = tree.byId.get(route) ?? [];
  const inBlock = candidates.find((c) => c.block === from.block);
  if (inBlock) return { kind: 'step', node: inBlock };
  if (candidates.length > 0) return { kind: 'out-of-scope', node: candidates[0]! };
  return { kind: 'unknown' };
}

/** Where a step goes when it succeeds without routing: `next`, the following step, or the end of its block. */
export function normalSuccessor(tree: Tree, node: StepNode): Resolved {
  if (node.raw.end !== undefined) return { kind: 'word', word: node.raw.end === 'failure' ? FAIL : SUCCEED };
  if (node.raw.next !== undefined) return resolveRoute(tree, node, node.raw.next);
  const following = node.block.steps[node.index + 1];
  return following ? { kind: 'step', node: following } : { kind: 'exit' };
}

export interface Edge {
  label: string;
  /** Path of the key that declares the edge, for messages. */
  path: Path;
  target: Resolved;
}

/** Every way control can leave a step (normal flow, failures, and the routes its kind adds). */
export function edges(tree: Tree, node: StepNode): Edge[] {
  const out: Edge[] = [];
  const raw = node.raw;
  const kind = node.kind ? kindByKey(node.kind) : undefined;
  const routes = kind?.routes?.(node) ?? [];
  const edge = (label: string, path: Path, route: unknown): Edge => ({
    label,
    path,
    target: route === undefined ? normalSuccessor(tree, node) : resolveRoute(tree, node, route),
  });
  if (!kind?.replacesNext?.(node))
    out.push({ label: '`next`', path: [...node.path, raw.next !== undefined ? 'next' : 'id'], target: normalSuccessor(tree, node) });
  // A step skipped by its `if` goes on to the step below it, whatever its routes say.
  const following = node.block.steps[node.index + 1];
  if (raw.if !== undefined && following) out.push({ label: 'skipped', path: [...node.path, 'if'], target: { kind: 'step', node: following } });
  if (raw.onFailure !== undefined) out.push(edge('`onFailure`', [...node.path, 'onFailure'], raw.onFailure));
  for (const r of routes) out.push(edge(r.label, r.path, r.route));
  return out;
}

/** Step-to-step edges inside one block (exits and route words dropped). */
export function blockGraph(tree: Tree, block: Block): Map<StepNode, StepNode[]> {
  const graph = new Map<StepNode, StepNode[]>();
  for (const node of block.steps) {
    graph.set(
      node,
      edges(tree, node)
        .map((e) => e.target)
        .filter((t): t is Extract<Resolved, { kind: 'step' }> => t.kind === 'step')
        .map((t) => t.node),
    );
  }
  return graph;
}
