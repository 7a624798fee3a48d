// The fleet governor's rules, without Temporal: limits, first come first served per key, rates,
// budgets, pauses, breakers, maxWait, and freeing what ended runs held.
import type { FleetPolicy, GuardRequest } from '../../contract/guards';
import { emptyState, Governor, MAX_SETTLED, type GovernorState, type Outbound } from '../../workflows/governor/state';
import { parseFleetPolicy } from '../../activities/governor/policy';

const POLICY: FleetPolicy = { budgets: [], watchEveryMs: 10_000 };

let seq = 0;
function request(run: string, key: string, extra: Partial<GuardRequest> = {}, claim: Partial<GuardRequest['claims'][number]> = { limit: 1 }): GuardRequest {
  return {
    id: `${run}:${++seq}`,
    run,
    runId: `${run}-r1`,
    runbook: 'rb',
    step: 'write',
    uses: 'shell',
    labels: { runbook: 'rb', namespace: 'prod' },
    claims: [{ key, scope: 'step', ...claim }],
    onBusy: 'queue',
    onMaxWait: 'fail',
    onPaused: 'wait',
    ...extra,
  };
}

const granted = (out: Outbound[]) => out.filter((o) => 'verdict' in o && o.verdict.granted).map((o) => o.run);
const refused = (out: Outbound[]) => out.flatMap((o) => ('verdict' in o && !o.verdict.granted ? [[o.run, o.verdict.route, o.verdict.reason]] : []));
const notices = (out: Outbound[]) => out.flatMap((o) => ('notice' in o ? [[o.run, o.notice.state, o.notice.reason]] : []));

function submit(g: Governor, now: number, ...reqs: GuardRequest[]): Outbound[] {
  for (const r of reqs) g.submit(r, now);
  return g.process(now).out;
}

it('grants up to the limit, queues the rest in order, and grants the next when a holder releases', () => {
  const g = new Governor(emptyState(POLICY));
  const out = submit(g, 0, request('a', 'k', {}, { limit: 2 }), request('b', 'k', {}, { limit: 2 }), request('c', 'k', {}, { limit: 2 }));
  expect(granted(out)).toEqual(['a', 'b']);
  expect(notices(out)).toEqual([['c', 'queued', 'k is at its limit (2 of 2 held)']]);
  expect(g.process(1).out).toEqual([]); // nothing changed: no repeated notice
  g.release({ run: 'a' });
  expect(granted(g.process(2).out)).toEqual(['c']);
});

it('serves a key first come, first served: a later request does not jump an earlier one', () => {
  const g = new Governor(emptyState(POLICY));
  submit(g, 0, request('a', 'k'));
  // b waits on k; c claims k and another key: it must wait behind b, not take k when it frees.
  const out = submit(g, 1, request('b', 'k'), request('c', 'k'));
  expect(notices(out).map((n) => n[0])).toEqual(['b', 'c']);
  expect(notices(out)[1]![2]).toBe('behind earlier requests for k');
  g.release({ run: 'a' });
  expect(granted(g.process(2).out)).toEqual(['b']);
});

it('a run never waits on itself, and other keys are independent', () => {
  const g = new Governor(emptyState(POLICY));
  const runSlot = request('a', 'svc', {}, { limit: 1, scope: 'run' });
  submit(g, 0, runSlot);
  expect(granted(submit(g, 1, request('a', 'svc'), request('z', 'other')))).toEqual(['a', 'z']);
});

it('holds a rate over a sliding window and wakes when the oldest grant leaves it', () => {
  const g = new Governor(emptyState(POLICY));
  const rate = { rate: { limit: 2, perMs: 1_000 } };
  const first = submit(g, 0, request('a', 'r', {}, rate), request('b', 'r', {}, rate), request('c', 'r', {}, rate));
  expect(granted(first)).toEqual(['a', 'b']);
  expect(g.process(10).wakeAt).toBe(1_000);
  expect(granted(g.process(999).out)).toEqual([]);
  expect(granted(g.process(1_001).out)).toEqual(['c']);
});

it('refuses at once when the route is skip or fail, and after maxWait when queued', () => {
  const g = new Governor(emptyState(POLICY));
  submit(g, 0, request('a', 'k'));
  const out = submit(
    g,
    1,
    request('b', 'k', { onBusy: 'skip' }),
    request('c', 'k', { onBusy: 'fail' }),
    request('d', 'k', { maxWaitMs: 500, onMaxWait: 'fail' }),
  );
  expect(refused(out)).toEqual([
    ['b', 'skip', 'k is at its limit (1 of 1 held)'],
    ['c', 'fail', 'k is at its limit (1 of 1 held)'],
  ]);
  expect(g.process(200).wakeAt).toBe(501);
  expect(refused(g.process(501).out)).toEqual([['d', 'fail', 'waited 500ms (maxWait): k is at its limit (1 of 1 held)']]);
});

it('counts fleet budgets for writes whose labels match, with the budget’s own route', () => {
  const policy: FleetPolicy = { ...POLICY, budgets: [{ name: 'prod', match: { namespace: 'prod' }, limit: 1, perMs: 60_000, onExceeded: 'fail' }] };
  const g = new Governor(emptyState(policy));
  const noLimit = { limit: undefined };
  const out = submit(g, 0, request('a', 'x', {}, noLimit), request('b', 'y', {}, noLimit), request('c', 'z', { labels: { namespace: 'staging' } }, noLimit));
  expect(granted(out)).toEqual(['a', 'c']);
  expect(refused(out)).toEqual([['b', 'fail', 'fleet budget prod is spent (1 writes per 1m)']]);
  expect(g.view(1).budgets).toEqual([{ name: 'prod', used: 1, limit: 1, perMs: 60_000 }]);
});

it('parks what a pause covers (or routes it), lifts only the pause of the same scope, and lets reads of other runbooks through', () => {
  const g = new Governor(emptyState(POLICY));
  g.pause({ runbook: 'rb', by: 'alice', reason: 'freeze' }, 0);
  const out = submit(g, 1, request('a', 'k'), request('b', 'k2', { runbook: 'other' }), request('c', 'k3', { onPaused: 'skip' }));
  expect(notices(out)).toEqual([['a', 'paused', 'paused by alice: freeze']]);
  expect(granted(out)).toEqual(['b']);
  expect(refused(out)).toEqual([['c', 'skip', 'paused by alice: freeze']]);
  expect(g.resume({ by: 'bob' })).toEqual([]); // the fleet-wide pause is another scope
  expect(g.resume({ runbook: 'rb', by: 'bob' })).toHaveLength(1);
  expect(granted(g.process(2).out)).toEqual(['a']);
});

it('trips the breaker on the Nth failure within the window, and a resume resets it', () => {
  const g = new Governor(emptyState({ ...POLICY, breaker: { failures: 3, withinMs: 1_000, per: 'runbook' } }));
  g.runEnded({ run: 'a', runbook: 'rb', failed: true, reason: 'one' }, 0);
  g.runEnded({ run: 'b', runbook: 'rb', failed: true, reason: 'two' }, 1_500); // the first left the window
  g.runEnded({ run: 'c', runbook: 'rb', failed: true, reason: 'three' }, 1_600);
  expect(g.state.pauses).toEqual([]);
  g.runEnded({ run: 'd', runbook: 'rb', failed: true, reason: 'four' }, 1_700);
  expect(g.state.pauses).toMatchObject([
    { runbook: 'rb', by: 'circuit-breaker', source: 'circuit-breaker', reason: '3 failed runs within 1s; the last: four' },
  ]);
  expect(g.resume({ runbook: 'rb', by: 'alice' })).toHaveLength(1);
  expect(g.view(1_800).breakers).toEqual([]);
});

it('frees what ended or vanished executions held and asked, and keeps other executions of the same workflow', () => {
  const g = new Governor(emptyState(POLICY));
  submit(g, 0, request('a', 'k'), request('b', 'k'));
  expect(g.watchedRuns()).toEqual([
    { run: 'a', runId: 'a-r1' },
    { run: 'b', runId: 'b-r1' },
  ]);
  g.dropExecutions([{ run: 'a', runId: 'other-run' }]);
  expect(granted(g.process(1).out)).toEqual([]);
  g.dropExecutions([{ run: 'a', runId: 'a-r1' }]);
  expect(granted(g.process(2).out)).toEqual(['b']);
  g.runEnded({ run: 'b', runbook: 'rb', failed: false }, 3);
  expect(g.busy).toBe(false);
});

it('ignores a request it already knows (sent twice)', () => {
  const g = new Governor(emptyState(POLICY));
  const r = request('a', 'k');
  submit(g, 0, r);
  expect(submit(g, 1, r)).toEqual([]);
  expect(g.view(2).keys).toMatchObject([{ key: 'k', holders: [{ run: 'a' }], waiting: 0 }]);
});

describe('the fleet policy file', () => {
  it('reads budgets, the breaker and the watch interval', () => {
    const policy = parseFleetPolicy(
      'budgets:\n  - name: prod-writes\n    match: { namespace: prod }\n    limit: 20\n    per: 10m\n    onExceeded: skip\nbreaker: { failures: 3, within: 1h }\nwatchEvery: 5s\n',
      'fleet.yaml',
    );
    expect(policy).toEqual({
      budgets: [{ name: 'prod-writes', match: { namespace: 'prod' }, limit: 20, perMs: 600_000, onExceeded: 'skip' }],
      breaker: { failures: 3, withinMs: 3_600_000, per: 'runbook' },
      watchEveryMs: 5_000,
    });
  });

  it.each([
    [
      'budgets:\n  - { name: x, match: { zone: a }, limit: 1, per: 1m }\n',
      'fleet.yaml: budgets[0].match: unknown label `zone` (runbook, step, uses, service, namespace)',
    ],
    ['budgets:\n  - { name: x, match: {}, limit: 0, per: 1m }\n', 'fleet.yaml: budgets[0].limit must be a whole number of at least 1'],
    ['budgets:\n  - { name: x, match: {}, limit: 1, per: soon }\n', 'fleet.yaml: budgets[0].per must be a duration such as 10m'],
    ['breaker: { failures: 3, within: 1h, per: team }\n', 'fleet.yaml: breaker.per must be runbook or key'],
    ['budget: []\n', 'fleet.yaml: unknown key `budget` (budgets, breaker, watchEvery)'],
    ['watchEvery: 10ms\n', 'fleet.yaml: watchEvery must be at least 1s'],
  ])('refuses a mistake with where it is: %j', (text, message) => {
    expect(() => parseFleetPolicy(text, 'fleet.yaml')).toThrow(message);
  });
});

describe("people's and workers' requests", () => {
  it('takes a request once, keeps its outcome for its sender, and keeps only the latest outcomes', () => {
    const g = new Governor(emptyState(POLICY));
    g.take('a', 0, () => ({ paused: g.pause({ by: 'alice', reason: 'first' }, 0) }));
    g.take('a', 1_000, () => ({ paused: g.pause({ by: 'alice', reason: 'sent again' }, 1_000) }));
    expect(g.state.pauses.map((p) => p.reason)).toEqual(['first']);
    expect(g.settledOf('a')).toMatchObject({ request: 'a', at: new Date(0).toISOString(), paused: { reason: 'first' } });
    for (let n = 0; n < MAX_SETTLED; n++) g.take(`r${n}`, n, () => ({ refused: 'no' }));
    expect(g.settledOf('a')).toBeUndefined();
    expect(g.settledOf(`r${MAX_SETTLED - 1}`)).toMatchObject({ refused: 'no' });
    expect(g.state.settled).toHaveLength(MAX_SETTLED);
  });

  it('takes requests in the state of a governor that continued as new before they existed', () => {
    const { settled: _, ...older } = emptyState(POLICY);
    const g = new Governor(older as GovernorState);
    expect(g.settledOf('x')).toBeUndefined();
    g.take('x', 0, () => ({ policy: 'installed' }));
    expect(g.settledOf('x')).toMatchObject({ policy: 'installed' });
  });
});
