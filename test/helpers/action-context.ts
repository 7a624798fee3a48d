// Running an action's function outside Temporal, with a context whose cancellation the test controls.
import type { ActionContext } from '../../activities/action';

export function actionContext(overrides: Partial<ActionContext> = {}): ActionContext & { abort(): void; beats: unknown[] } {
  const controller = new AbortController();
  const beats: unknown[] = [];
  return {
    signal: controller.signal,
    heartbeat: (details) => beats.push(details),
    log: { info: () => undefined, warn: () => undefined },
    stepId: 'step',
    runbook: 'test',
    ...overrides,
    abort: () => controller.abort(),
    beats,
  };
}
