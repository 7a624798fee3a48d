// The embedded stack's dev inbox: what `npm start` points unconfigured notifications at. It
// keeps and shows what it is sent, escaped, and refuses what is too large.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_INBOX_BODY_LIMIT, startDevInbox, type DevInbox } from '../../cli/dev-inbox';
import { freePort } from '../helpers/ports';

const file = path.join(mkdtempSync(path.join(tmpdir(), 'inbox-')), 'dev-inbox.jsonl');
const printed: string[] = [];
let inbox: DevInbox;
beforeAll(async () => {
  inbox = await startDevInbox({ host: '127.0.0.1', port: await freePort(), file, print: (l) => printed.push(l) });
});
afterAll(() => inbox.close());

const post = (p: string, body: string, type = 'application/json') => fetch(`${inbox.url}${p}`, { method: 'POST', headers: { 'content-type': type }, body });

it('answers as Slack and PagerDuty do, prints one line each, and keeps them', async () => {
  expect((await post('/slack', JSON.stringify({ text: ':rotating_light: checkout is down\nsecond line' }))).status).toBe(200);
  const pd = await post('/pagerduty', JSON.stringify({ event_action: 'trigger', payload: { summary: 'checkout is down' } }));
  expect(pd.status).toBe(202);
  expect(await pd.json()).toMatchObject({ status: 'success', dedup_key: expect.any(String) });
  expect(printed).toEqual(['📬 dev inbox /slack: :rotating_light: checkout is down second line', '📬 dev inbox /pagerduty: trigger: checkout is down']);
  expect(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { path: string }).path),
  ).toEqual(['/slack', '/pagerduty']);
});

it('shows hostile text as text, and refuses bodies over its limit with 413', async () => {
  await post('/webhook', '<script>alert(1)</script>', 'text/plain');
  const page = await (await fetch(inbox.url)).text();
  expect(page).toContain('Development only');
  expect(page).not.toContain('<script>alert(1)</script>');
  expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  expect((await post('/slack', JSON.stringify({ text: 'x'.repeat(DEV_INBOX_BODY_LIMIT) }))).status).toBe(413);
  expect(inbox.messages()).toHaveLength(3);
});
