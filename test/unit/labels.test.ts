// The labels a run leaves in history are read back by the same module that writes them.
import { childWorkflowId, labelText, readActivityLabel, readChildWorkflowId, readTimerLabel, type Label, type LabelKind } from '../../contract/labels';
import { ENGINE_ACTIVITY } from '../../contract/activities';

/** One label of every kind, with the activity type it goes with (timers have none). */
const EVERY_KIND: { [K in LabelKind]: [Extract<Label, { kind: K }>, string | 'timer'] } = {
  action: [{ kind: 'action', step: 'restart', what: 'Restart the deployment: now' }, 'kubernetes'],
  undo: [{ kind: 'undo', step: 'scale_up', what: 'notify.slack' }, 'notify.slack'],
  'ask-claude': [{ kind: 'ask-claude', step: 'diagnose' }, ENGINE_ACTIVITY.askClaude],
  investigate: [{ kind: 'investigate', step: 'look', what: 'prometheus.query rate(http_errors[5m])' }, 'prometheus.query'],
  'who-may': [{ kind: 'who-may', step: 'gate', purpose: 'approve' }, ENGINE_ACTIVITY.resolvePeople],
  notify: [{ kind: 'notify', step: 'gate', channel: 'oncall-slack', what: 'reminder' }, ENGINE_ACTIVITY.notifyPeople],
  poll: [{ kind: 'poll', step: 'verify', everyMs: 90_000 }, 'timer'],
  wait: [{ kind: 'wait', step: 'settle', what: 'let the caches warm up (2m)' }, 'timer'],
  'wait-for-approval': [{ kind: 'wait-for-approval', step: 'gate', timeoutMs: 3_600_000 }, 'timer'],
  remind: [{ kind: 'remind', step: 'gate', escalate: true, afterMs: 600_000 }, 'timer'],
  'wait-for-decision': [{ kind: 'wait-for-decision', step: 'pick', timeoutMs: 1_800_250 }, 'timer'],
  audit: [{ kind: 'audit' }, ENGINE_ACTIVITY.recordAudit],
  'check-signature': [{ kind: 'check-signature' }, ENGINE_ACTIVITY.checkSignature],
  admission: [{ kind: 'admission' }, ENGINE_ACTIVITY.checkAdmission],
};

it.each(Object.values(EVERY_KIND))('round-trips %o', (label, type) => {
  const text = labelText(label);
  expect(type === 'timer' ? readTimerLabel(text) : readActivityLabel(type, text)).toEqual(label);
});

it('keeps the text the Web UI has always shown', () => {
  expect(labelText(EVERY_KIND['wait-for-approval'][0])).toBe('gate: wait for approval (1h)');
  expect(labelText(EVERY_KIND.poll[0])).toBe('verify: poll again in 1m30s');
  expect(labelText(EVERY_KIND.undo[0])).toBe('undo scale_up: notify.slack');
});

it('round-trips child run ids', () => {
  expect(readChildWorkflowId('parent/x@1', childWorkflowId('parent/x@1', 'notify', 1))).toEqual({ step: 'notify', ordinal: 1 });
  expect(readChildWorkflowId('p', childWorkflowId('p', 'notify', 3))).toEqual({ step: 'notify', ordinal: 3 });
  expect(readChildWorkflowId('p', 'other/notify')).toBeUndefined();
});
