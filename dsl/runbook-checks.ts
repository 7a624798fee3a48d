// The checker as the input and expression checks (check-inputs.ts, check-expressions.ts) see it;
// its own module so that they and the checker (check.ts) do not import each other.
import type { DiagnosticCode } from './diagnostics';
import type { CheckContext } from './kinds/kind';
import type { Path } from './load';
import type { StepNode, Tree } from './tree';

/** The checker's state, as the expression and input checks see it. */
export interface RunbookChecks {
  readonly runbook: Record<string, unknown>;
  readonly tree: Tree;
  report: CheckContext['report'];
  reportAt(code: DiagnosticCode, path: Path, offset: number, message: string, hint?: string): void;
  /** `members` follow the id (`outputs`, a name); `mayBeAbsent`: read with `steps.?id`, so it only has to exist. */
  stepReference(from: StepNode | undefined, id: string, path: Path, offset: number, allowSelf: boolean, members?: string[], mayBeAbsent?: boolean): void;
}
