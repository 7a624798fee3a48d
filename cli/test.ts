// `runbook test [PATH...]`: runs the scenarios of runbook test files on the real interpreter with
// every outside call scripted. Exit 0 when all pass (and coverage is at least --min-coverage),
// 1 when a scenario fails or coverage is short, 2 when a test file is invalid or none is found.
import { writeFileSync } from 'node:fs';
import { claudeActivities } from '../activities/claude/advise';
import { claudeConfigFromEnv } from '../activities/claude/config';
import { peopleFile } from '../activities/humans/people-file';
import { catalogOf, loadActions } from '../activities/registry';
import { runbookDirs } from '../repository/runbook-dirs';
import { isSuccess, jsonReport, junitReport, progressLine, summaryText } from '../scenarios/report';
import { checkTestFiles, runSuite } from '../scenarios/suite';

export interface TestCommandOptions {
  json?: boolean;
  junit?: string;
  filter?: string;
  minCoverage?: string;
  liveModel?: boolean;
  concurrency?: string;
}

export async function testCommand(paths: string[], opts: TestCommandOptions, print: (line: string) => void): Promise<number> {
  const minCoverage = opts.minCoverage === undefined ? undefined : Number(opts.minCoverage);
  if (minCoverage !== undefined && !(minCoverage >= 0 && minCoverage <= 100)) {
    print(`--min-coverage must be a percentage from 0 to 100, not ${opts.minCoverage}`);
    return 2;
  }
  const concurrency = Number(opts.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    print(`--concurrency must be a whole number from 1 to 64, not ${opts.concurrency}`);
    return 2;
  }
  const catalog = catalogOf(loadActions());
  const served = runbookDirs();
  const { files, unreadable } = checkTestFiles(paths.length ? paths : served, catalog, served);
  for (const u of unreadable) print(`${u.file}: ${u.reason}`);
  if (files.length === 0) {
    print(`no test files (*.test.yaml) under ${(paths.length ? paths : served).join(', ')}`);
    return 2;
  }
  if (opts.liveModel && !process.env.ANTHROPIC_API_KEY) {
    print('--live-model asks the configured model: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint)');
    return 2;
  }
  const result = await runSuite(files, {
    catalog,
    peopleFile: peopleFile(),
    concurrency,
    ...(opts.filter && { filter: opts.filter }),
    ...(opts.liveModel && { liveModel: claudeActivities(claudeConfigFromEnv()) }),
    ...(!opts.json && { onScenario: (o) => print(progressLine(o)) }),
  });
  if (opts.junit) writeFileSync(opts.junit, junitReport(result));
  if (opts.json) print(JSON.stringify(jsonReport(result, minCoverage), null, 2));
  else for (const line of summaryText(result, minCoverage)) print(line);
  if (unreadable.length > 0 || result.invalid.length > 0) return 2;
  if (result.scenarios.length === 0) {
    print(opts.filter ? `no scenario matches "${opts.filter}"` : 'no scenarios');
    return opts.filter ? 1 : 2;
  }
  return isSuccess(result, minCoverage) ? 0 : 1;
}
