// The run's Web UI pane: what a waiting request needs from the person reading it.
import { currentDetails } from '../../workflows/details';
import type { PendingDecision } from '../../contract/run';

const decision: PendingDecision = {
  kind: 'decision',
  step: 'diagnose',
  decision: 'decide',
  prompt: 'Roll back or scale?',
  choices: [
    { name: 'rollback', when: 'a deploy preceded the errors' },
    { name: 'scale', when: 'traffic is above capacity' },
  ],
  why: "Claude's confidence 0.4 is below 0.8",
  suggestion: { choice: 'rollback', reasoning: 'deploy 42 went out 12 minutes ago', confidence: 0.4, model: 'claude' },
  eligible: ['alice', 'bob'],
  questionHash: 'q'.repeat(64),
  onTimeout: 'the run goes to `page`',
  requestedAt: '2026-11-30T10:00:00.000Z',
  deadline: '2026-11-30T10:15:00.000Z',
};

it('tells what a decision waits for, the suggestion, the deadline and its consequence, and the payload that answers it', () => {
  const text = currentDetails({ workflowId: 'wf-1', status: 'awaiting-decision', running: [{ id: 'diagnose' }], pending: [decision] });
  // The first line says, in words, what the run waits for and where.
  expect(text.split('\n')[0]).toBe('**Waiting for a person to answer `diagnose`** (RemediationStatus `awaiting-decision`)');
  expect(text).toContain(
    "**Waiting for a decision**: step `diagnose`, because Claude's confidence 0.4 is below 0.8; deciders alice, bob; until 2026-11-30T10:15:00.000Z, then the run goes to `page`.",
  );
  expect(text).toContain('- `rollback`: a deploy preceded the errors');
  expect(text).toContain('Claude suggested `rollback` (confidence 0.4): deploy 42 went out 12 minutes ago');
  const payload = /Data:\n```json\n([\s\S]*?)\n```/.exec(text)?.[1];
  expect(JSON.parse(payload!)).toEqual({ step: 'diagnose', by: '<your name>', choice: 'rollback', comment: '<why>' });
  expect(text).toContain('runbook decide wf-1 \\\n  --step diagnose \\\n  --choice rollback');
});

it('sends a signed step to `runbook sign`, and cuts a huge plan', () => {
  const text = currentDetails({
    workflowId: 'wf-2',
    status: 'awaiting-approval',
    running: [],
    pending: [
      {
        kind: 'approval',
        step: 'gate',
        guards: 'act',
        plan: { step: 'act', uses: 'shell', with: { command: ['echo', 'x'.repeat(10_000)] } },
        planHash: 'p'.repeat(64),
        approvers: ['group:oncall'],
        eligible: ['alice'],
        minApprovals: 1,
        allowRequester: false,
        approvals: [],
        signed: true,
        requestedAt: '2026-11-30T10:00:00.000Z',
        deadline: '2026-11-30T11:00:00.000Z',
      },
    ],
  });
  expect(text.split('\n')[0]).toBe('**Waiting for a person to approve `gate`** (RemediationStatus `awaiting-approval`)');
  expect(text).toContain('This step takes signed answers only: send the JSON that `runbook sign wf-2 --step gate` prints instead');
  expect(text).toContain('more characters: query `status`');
  expect(text.length).toBeLessThan(5_000);
  expect(text).toContain('--sign');
});

it('says in words what a run that waits for no person is doing', () => {
  const line = (status: Parameters<typeof currentDetails>[0]['status'], running: string[] = []) =>
    currentDetails({ workflowId: 'wf-3', status, running: running.map((id) => ({ id })), pending: [] }).split('\n')[0];
  expect(line('running', ['rollback'])).toBe('**Running `rollback`** (RemediationStatus `running`)');
  expect(line('paused', ['rollback'])).toBe(
    '**Paused: `rollback` waits because the fleet is paused (`runbook guards`, `runbook resume`)** (RemediationStatus `paused`)',
  );
  expect(line('failed')).toBe('**Failed** (RemediationStatus `failed`)');
});
