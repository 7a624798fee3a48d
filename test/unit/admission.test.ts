// The admitted-definition history: bounded by age and by count, and kept across restarts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Admission } from '../../activities/admission/admission';
import { compileUnadmitted } from '../helpers/temporal';

const version = (n: number) => compileUnadmitted(`name: evolving\nsteps:\n  - id: a\n    wait: ${n}s\n`);
const HOUR = 3_600_000;

it('keeps replaced versions for the grace period and at most N of them, across a restart', () => {
  let now = 1_000_000;
  const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'admission-')), 'state', 'admitted.json');
  const options = { stateFile, graceMs: 24 * HOUR, maxRetiredPerName: 2, now: () => now };
  const first = new Admission(options);
  const versions = [1, 2, 3, 4].map(version);
  for (const v of versions) {
    first.serve([v]);
    now += HOUR;
  }
  const admitted = (a: Admission) => versions.map((v) => a.check({ name: v.name, hash: v.hash }).admitted);
  // v4 is served; v3 and v2 are the two newest retired ones; v1 is past the count bound.
  expect(admitted(first)).toEqual([false, true, true, true]);

  const restarted = new Admission(options);
  restarted.serve([versions[3]!]);
  expect(admitted(restarted)).toEqual([false, true, true, true]);
  expect(restarted.check({ name: 'evolving', hash: versions[2]!.hash })).toMatchObject({ admitted: true, how: 'retired' });

  now += 25 * HOUR;
  restarted.serve([versions[3]!]);
  expect(admitted(restarted)).toEqual([false, false, false, true]);
  expect(restarted.check({ name: 'evolving', hash: versions[1]!.hash })).toMatchObject({
    admitted: false,
    reason: expect.stringMatching(/is not one this worker serves/),
  });
});

it('says a version was replaced, even with no grace and a clock that ticks during the replacement', () => {
  // A loaded CI machine once moved the clock a millisecond inside serve(): the version just
  // retired was pruned as expired, and its refusal said "not served" instead of "replaced".
  let t = 0;
  const admission = new Admission({ graceMs: 0, now: () => t++ });
  const v = version(1);
  admission.serve([v]);
  admission.serve([]);
  expect(admission.check({ name: v.name, hash: v.hash })).toMatchObject({
    admitted: false,
    reason: expect.stringMatching(/^version [0-9a-f]{12} of runbook `evolving` was replaced/),
  });
});

it('refuses a known hash claimed under another name', () => {
  const admission = new Admission();
  const v = version(1);
  admission.serve([v]);
  expect(admission.check({ name: 'something-else', hash: v.hash }).admitted).toBe(false);
});

it('keeps working when the state file cannot be written', () => {
  const warnings: string[] = [];
  // A path under a regular file: the folder can never be created.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'admission-')), 'a-file');
  writeFileSync(file, '');
  const admission = new Admission({ stateFile: path.join(file, 'state', 'admitted.json'), warn: (m) => warnings.push(m) });
  const v = version(1);
  admission.serve([v]);
  expect(admission.check({ name: v.name, hash: v.hash }).admitted).toBe(true);
  expect(warnings.join('\n')).toMatch(/cannot write the admission history .* kept in memory only/);
});
