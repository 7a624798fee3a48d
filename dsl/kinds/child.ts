// `runbook`: another runbook as a child workflow, its definition embedded in the parent's.
import { Type } from '@sinclair/typebox';
import type { CompensateStep, StepBase } from '../compiled-base';
import { renderValue } from '../expressions';
import { didYouMean } from '../diagnostics';
import { doc, RUNBOOK_NAME_PATTERN } from '../schema-parts';
import { isRecord } from '../values';
import { DEFAULTS } from './defaults';
import type { KindDescriptor } from './kind';
import { compensationSites } from './shared';

export interface ChildStep extends StepBase {
  kind: 'runbook';
  runbook: string;
  with: Record<string, unknown>;
  timeoutMs?: number;
  compensate?: CompensateStep;
}

export const child: KindDescriptor<ChildStep, { runbook?: string }> = {
  kind: 'runbook',
  key: 'runbook',
  accepts: ['with', 'compensate', 'timeout'],
  fields: () => ({ runbook: Type.Optional(Type.String({ pattern: RUNBOOK_NAME_PATTERN, ...doc('Run another runbook as a child workflow.') })) }),
  expressions: (node) => [{ role: 'child-with', path: [...node.path, 'with'], value: node.raw.with }, ...compensationSites(node)],
  check(node, ctx) {
    if (isRecord(node.raw.compensate)) ctx.checkActionWith(node, node.raw.compensate.uses, node.raw.compensate.with, [...node.path, 'compensate']);
    if (isRecord(node.raw.compensate) && node.raw.compensate.when === 'attempted')
      ctx.report(
        'misplaced-key',
        [...node.path, 'compensate', 'when'],
        '`when: attempted` applies to `uses` steps: a child runbook that fails undoes its own completed steps',
        undefined,
        'key',
      );
    if (typeof node.raw.runbook !== 'string') return;
    const name = node.raw.runbook;
    const info = ctx.child(name);
    if (!info) {
      ctx.report(
        'unknown-runbook',
        [...node.path, 'runbook'],
        `no runbook named \`${name}\``,
        'a child runbook is found by its `name:` beside this one, then in the RUNBOOK_DIR folders in order',
      );
      return;
    }
    if (info.cyclic) return;
    const given = isRecord(node.raw.with) ? node.raw.with : {};
    for (const key of Object.keys(given)) {
      if (!(key in info.inputs)) {
        ctx.report('unknown-key', [...node.path, 'with', key], `runbook \`${name}\` has no input \`${key}\``, didYouMean(key, Object.keys(info.inputs)), 'key');
      }
    }
    for (const [input, spec] of Object.entries(info.inputs)) {
      if (spec.default === undefined && !(input in given)) {
        ctx.report(
          'missing-key',
          [...node.path, node.raw.with === undefined ? 'runbook' : 'with'],
          `step \`${node.id}\` does not give input \`${input}\` that runbook \`${name}\` needs`,
        );
      }
    }
  },
  outputs(node, ctx) {
    const info = typeof node.raw.runbook === 'string' ? ctx.child(node.raw.runbook) : undefined;
    return info && !info.cyclic ? info.outputs : undefined;
  },
  compile(raw, ctx) {
    const compensate = ctx.compensate();
    return {
      kind: 'runbook',
      runbook: raw.runbook!,
      with: raw.with ?? {},
      ...(raw.timeout !== undefined && { timeoutMs: ctx.ms(raw.timeout, DEFAULTS.actionTimeout) }),
      ...(compensate && { compensate }),
    };
  },
  describe: (step) => `runs ${step.runbook}`,
  plan: (step, scope) => ({ runbook: step.runbook, with: renderValue(step.with, scope) as Record<string, unknown> }),
};
