// The actions a worker offers: the built-in ones plus modules named in RUNBOOK_ACTIONS.
// The CLI builds the same catalog, so `runbook validate` knows every action the worker runs.
import path from 'node:path';
import type { ActionCatalog } from '../dsl/catalog';
import type { AnyAction } from './action';
import http from './actions/http';
import kubernetes from './actions/kubernetes';
import notifyPagerduty from './actions/notify-pagerduty';
import notifySlack from './actions/notify-slack';
import notifyWebhook from './actions/notify-webhook';
import prometheus from './actions/prometheus';
import shell from './actions/shell';

export const BUILTIN_ACTIONS: readonly AnyAction[] = [shell, http, prometheus, kubernetes, notifySlack, notifyWebhook, notifyPagerduty];

/**
 * User actions: each module path (comma-separated in RUNBOOK_ACTIONS) default-exports an action
 * made with `defineAction`, or a list of them.
 */
export function loadActions(modules: string[] = actionModulesFromEnv()): AnyAction[] {
  const actions = [...BUILTIN_ACTIONS];
  for (const modulePath of modules) {
    const resolved = path.resolve(modulePath);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- user modules load synchronously at worker start, CommonJS or not
    const loaded = require(resolved) as { default?: AnyAction | AnyAction[] };
    const exported = loaded.default ?? (loaded as unknown as AnyAction | AnyAction[]);
    for (const action of Array.isArray(exported) ? exported : [exported]) {
      if (!action || typeof action.name !== 'string' || typeof action.run !== 'function' || !action.input) {
        throw new Error(`${resolved}: does not export an action (use defineAction from activities/action)`);
      }
      if (action.effect !== 'read' && action.effect !== 'write' && typeof action.effect !== 'function') {
        throw new Error(`${resolved}: action \`${action.name}\` must declare its effect: 'read' or 'write' (fleet guards and the kill switch act on writes)`);
      }
      if (actions.some((a) => a.name === action.name)) throw new Error(`${resolved}: action \`${action.name}\` is already defined`);
      actions.push(action);
    }
  }
  return actions;
}

export function actionModulesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.RUNBOOK_ACTIONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function catalogOf(actions: readonly AnyAction[]): ActionCatalog {
  return new Map(actions.map((a) => [a.name, a]));
}
