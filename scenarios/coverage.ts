// What a runbook's scenarios exercised: for every step, whether it ran, and every route it
// declares (`if` true and false, `onFailure`, each choice, `onTimeout`, `onReject`, the human
// timeout, a foreach's or parallel's failure), read from the runs' trails.
import { readFileSync } from 'node:fs';
import type { TrailEntry } from '../contract/run';
import { kindByKey } from '../dsl/kinds';
import { loadYaml } from '../dsl/load';
import { ROUTE } from '../dsl/route-labels';
import { buildTree } from '../dsl/tree';

export interface CoverageItem {
  step: string;
  /** `ran`, "`if` true", "`if` false", "`onFailure`", "choice `rollback`", "fails"... */
  what: string;
  covered: boolean;
}

export interface RunbookCoverage {
  runbook: string;
  file: string;
  items: CoverageItem[];
  covered: number;
  total: number;
  /** covered / total, in percent (100 when there is nothing to cover). */
  percent: number;
}

export const IF_TRUE = '`if` true';
export const IF_FALSE = '`if` false';
export const FAILS = 'fails';

/** The coverage items a runbook declares, from its file. */
export function declaredItems(file: string): Array<Omit<CoverageItem, 'covered'>> {
  const tree = buildTree(loadYaml(readFileSync(file, 'utf8'), file).value);
  return tree.all.flatMap((node) => {
    const items = ['ran'];
    if (node.raw.if !== undefined) items.push(IF_TRUE, IF_FALSE);
    if (node.raw.onFailure !== undefined && node.raw.onFailure !== 'fail') items.push(ROUTE.onFailure);
    const kind = node.kind === undefined ? undefined : kindByKey(node.kind);
    items.push(...(kind?.routes?.(node) ?? []).map((r) => r.label));
    // A foreach iteration or a parallel branch failing is a path of its own.
    if (node.kind === 'foreach' || node.kind === 'parallel') items.push(FAILS);
    return items.map((what) => ({ step: node.id, what }));
  });
}

/** Whether any visit of a trail covers the item. */
export function covers(trail: readonly TrailEntry[], item: Omit<CoverageItem, 'covered'>): boolean {
  return trail.some((t) => {
    if (t.step !== item.step) return false;
    switch (item.what) {
      case 'ran':
        return t.status !== 'skipped';
      case IF_TRUE:
        return t.status !== 'skipped';
      case IF_FALSE:
        return t.status === 'skipped';
      case FAILS:
        return t.status === 'failed';
      default:
        return t.route === item.what;
    }
  });
}

export function coverageOf(runbook: string, file: string, trails: readonly TrailEntry[][]): RunbookCoverage {
  const all = trails.flat();
  const items = declaredItems(file).map((item) => ({ ...item, covered: covers(all, item) }));
  const covered = items.filter((i) => i.covered).length;
  return { runbook, file, items, covered, total: items.length, percent: items.length === 0 ? 100 : Math.round((1000 * covered) / items.length) / 10 };
}
