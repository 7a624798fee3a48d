// A report counts a step's own attempts only: asking who may answer, and telling people, are not
// attempts of the step (a decision a person took once must not read "after 2 attempts").
import path from 'node:path';
import { readHistoryFile } from '../../cli/histories';
import { readHistory } from '../../report/read-history';
import { CORPUS } from '../helpers/replay';

it.each(['decide-human-low-confidence', 'fill-human'])('reports the human step of %s as one attempt', async (name) => {
  const { workflowId, history } = readHistoryFile(path.join(CORPUS, 'runbookV3', `${name}.json`));
  const report = await readHistory(history, workflowId);
  const human = report.timeline.filter((l) => l.what.includes('human decision'));
  expect(human.length).toBeGreaterThan(0);
  for (const line of human) expect(line.attempts).toBe(1);
});
