// What a report says of each step. It counts a step's own attempts only: asking who may answer, and telling people, are not
// attempts of the step (a decision a person took once must not read "after 2 attempts").
import path from 'node:path';
import { readHistoryFile } from '../../cli/histories';
import { markdownReport } from '../../report/markdown';
import { readHistory } from '../../report/read-history';
import { CORPUS } from '../helpers/replay';

it.each(['decide-human-low-confidence', 'fill-human'])('reports the human step of %s as one attempt', async (name) => {
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, 'runbookV3', `${name}.json`));
  const report = await readHistory(history, workflowId);
  const human = report.timeline.filter((l) => l.what.includes('human decision'));
  expect(human.length).toBeGreaterThan(0);
  for (const line of human) expect(line.attempts).toBe(1);
});

it('shows a skipped step as taking no time, not as still running', async () => {
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, 'runbookV4', 'if-skip.json'));
  const report = await readHistory(history, workflowId);
  const skipped = report.timeline.filter((l) => l.outcome === 'skipped');
  expect(skipped.length).toBeGreaterThan(0);
  for (const line of skipped) expect(markdownReport(report)).toContain(`| \`${line.step}\` | skipped by its if | ${line.startedAt} | — | skipped |`);
  expect(markdownReport(report)).not.toContain('| running |');
});
