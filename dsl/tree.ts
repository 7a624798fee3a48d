// The steps of a (possibly malformed) runbook as blocks, and the control flow between them.
// Top-level steps form one block; each parallel branch and each foreach body is a block of
// its own, and a route (`next`, `onFailure`, a choice...) may only target a step of its block.
import { FAIL, ROUTE_WORDS, SUCCEED } from './compiled';
import type { Path } from './load';
import { STEP_KINDS, type StepKindKey } from './schema';

export type Kind = StepKindKey | 'end';

export interface StepNode {
  id: string;
  raw: Record<string, unknown>;
  path: Path;
  /** Undefined when the step has no kind key, or several. */
  kind: Kind | undefined;
  kindKeys: StepKindKey[];
  block: Block;
  index: number;
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

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
    const kindKeys = STEP_KINDS.filter((k) => raw[k] !== undefined);
    const kind: Kind | undefined = kindKeys.length === 1 ? kindKeys[0] : kindKeys.length === 0 && raw.end !== undefined ? 'end' : undefined;
    const node: StepNode = { id, raw, path, kind, kindKeys, block, index: block.steps.length };
    block.steps.push(node);
    tree.all.push(node);
    tree.byId.set(id, [...(tree.byId.get(id) ?? []), node]);
    if (Array.isArray(raw.parallel)) {
      // Each branch is a block of one step.
      raw.parallel.forEach((branch, i) => {
        const child: Block = { role: 'branch', steps: [], owner: node, path: [...path, 'parallel', i] };
        fillBlock(tree, child, [branch], () => child.path);
      });
    }
    if (isRecord(raw.foreach) && Array.isArray(raw.foreach.steps)) {
      fillBlock(tree, { role: 'body', steps: [], owner: node, path: [...path, 'foreach', 'steps'] }, raw.foreach.steps);
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

/** Every way control can leave a step (normal flow, failures, choices, approvals, timeouts). */
export function edges(tree: Tree, node: StepNode): Edge[] {
  const out: Edge[] = [];
  const raw = node.raw;
  const add = (label: string, path: Path, route: unknown) => {
    if (route !== undefined) out.push({ label, path, target: resolveRoute(tree, node, route) });
  };
  const decide = isRecord(raw.decide) ? raw.decide : undefined;
  if (decide && isRecord(decide.choices)) {
    for (const [name, choice] of Object.entries(decide.choices)) {
      const next = isRecord(choice) ? choice.next : undefined;
      if (next !== undefined) add(`choice \`${name}\``, [...node.path, 'decide', 'choices', name, 'next'], next);
      else out.push({ label: `choice \`${name}\``, path: [...node.path, 'decide', 'choices', name], target: normalSuccessor(tree, node) });
    }
  } else {
    out.push({ label: '`next`', path: [...node.path, raw.next !== undefined ? 'next' : 'id'], target: normalSuccessor(tree, node) });
  }
  // A step skipped by its `if` goes on to the step below it, whatever its routes say.
  const following = node.block.steps[node.index + 1];
  if (raw.if !== undefined && following) {
    out.push({ label: 'skipped', path: [...node.path, 'if'], target: { kind: 'step', node: following } });
  }
  add('`onFailure`', [...node.path, 'onFailure'], raw.onFailure);
  for (const key of ['decide', 'fill'] as const) {
    const advisor = raw[key];
    if (isRecord(advisor) && isRecord(advisor.human)) add('`human.onTimeout`', [...node.path, key, 'human', 'onTimeout'], advisor.human.onTimeout);
  }
  if (isRecord(raw.approve)) {
    add('`onTimeout`', [...node.path, 'approve', 'onTimeout'], raw.approve.onTimeout);
    add('`onReject`', [...node.path, 'approve', 'onReject'], raw.approve.onReject);
  }
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
