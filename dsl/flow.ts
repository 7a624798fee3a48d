// Graph facts about a block: which steps are reachable, which steps run before a step on
// every path (dominators), and loops that nothing bounds.
import { blockGraph, type Block, type StepNode, type Tree } from './tree';

export interface BlockFlow {
  reachable: Set<StepNode>;
  /** For each reachable step, the steps that run before it on every path (itself excluded). */
  before: Map<StepNode, Set<StepNode>>;
  /** Steps that run before the block ends normally, on every path. */
  beforeExit: Set<StepNode>;
  graph: Map<StepNode, StepNode[]>;
}

export function analyseBlock(tree: Tree, block: Block, exits: (node: StepNode) => boolean): BlockFlow {
  const graph = blockGraph(tree, block);
  const entry = block.steps[0];
  const reachable = new Set<StepNode>();
  if (entry) {
    const stack = [entry];
    while (stack.length) {
      const n = stack.pop()!;
      if (reachable.has(n)) continue;
      reachable.add(n);
      stack.push(...(graph.get(n) ?? []));
    }
  }
  const preds = new Map<StepNode, StepNode[]>();
  for (const [from, tos] of graph) {
    if (!reachable.has(from)) continue;
    for (const to of tos) preds.set(to, [...(preds.get(to) ?? []), from]);
  }
  // Classic iterative dominators; blocks are small, so sets are fine.
  const order = block.steps.filter((s) => reachable.has(s));
  const dom = new Map<StepNode, Set<StepNode>>();
  for (const n of order) dom.set(n, n === entry ? new Set([n]) : new Set(order));
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of order) {
      if (n === entry) continue;
      const ps = (preds.get(n) ?? []).filter((p) => reachable.has(p));
      const next = intersect(ps.map((p) => dom.get(p)!));
      next.add(n);
      if (next.size !== dom.get(n)!.size) {
        dom.set(n, next);
        changed = true;
      }
    }
  }
  const before = new Map<StepNode, Set<StepNode>>();
  for (const [n, ds] of dom) before.set(n, new Set([...ds].filter((d) => d !== n)));
  const exitPreds = order.filter(exits);
  const beforeExit = exitPreds.length ? intersect(exitPreds.map((p) => dom.get(p)!)) : new Set<StepNode>();
  return { reachable, before, beforeExit, graph };
}

function intersect(sets: Set<StepNode>[]): Set<StepNode> {
  if (sets.length === 0) return new Set();
  const [first, ...rest] = sets;
  return new Set([...first!].filter((x) => rest.every((s) => s.has(x))));
}

/** Loops in which no step has `maxVisits`: each is returned once, as the steps around it. */
export function unboundedLoops(flow: BlockFlow): StepNode[][] {
  const bounded = (n: StepNode) => n.raw.maxVisits !== undefined;
  const nodes = [...flow.graph.keys()].filter((n) => !bounded(n));
  const succ = (n: StepNode) => (flow.graph.get(n) ?? []).filter((m) => !bounded(m));
  // Tarjan's strongly connected components over the unbounded steps.
  let counter = 0;
  const index = new Map<StepNode, number>();
  const low = new Map<StepNode, number>();
  const onStack = new Set<StepNode>();
  const stack: StepNode[] = [];
  const loops: StepNode[][] = [];
  const visit = (v: StepNode) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of succ(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: StepNode[] = [];
      let w: StepNode;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && succ(v).includes(v);
      if (component.length > 1 || selfLoop) loops.push(component.sort((a, b) => a.index - b.index));
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return loops;
}
