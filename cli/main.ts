#!/usr/bin/env node
// The `runbook` command.
import { Command, Option } from 'commander';
import { connectClient, temporalSettings } from '../temporal/connection';
import { registerSearchAttributes } from '../temporal/search-attribute-setup';
import { runCommand } from './run';
import { up, upOptionsFromEnv } from './up';
import { printValidateReport, validatePaths } from './validate';

const print = (line: string) => console.log(line);
const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('runbook')
  .description('YAML runbooks as durable Temporal workflows.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('validate')
  .description('Check runbook files or folders; exit 0 when all are valid, 1 otherwise.')
  .argument('<paths...>', 'runbook files or folders')
  .option('--json', 'machine-readable output')
  .action((paths: string[], opts: { json?: boolean }) => {
    const report = validatePaths(paths);
    printValidateReport(report, Boolean(opts.json));
    process.exitCode = report.valid ? 0 : 1;
  });

program
  .command('run')
  .description('Start a runbook and print each step as it completes; exit 0 on success, 1 on failure, 2 if it cannot start.')
  .argument('<file>', 'runbook file')
  .option('-i, --input <key=value>', 'an input value (repeatable)', collect, [])
  .option('--alert <file>', 'a normalised alert (JSON) to run against, for inputs taken from alert fields')
  .option('--as <name>', 'who starts the run (default: your user name)')
  .option('--id <workflowId>', 'workflow id (default: <runbook>-<uuid>)')
  .addOption(new Option('--no-wait', 'start and return without following the run'))
  .action(async (file: string, opts: { input: string[]; alert?: string; as?: string; id?: string; wait: boolean }) => {
    process.exitCode = await runCommand(file, opts, print);
  });

program
  .command('setup')
  .description('Register the search attributes runs use (RunbookName, Service, ...) on the Temporal cluster of TEMPORAL_ADDRESS.')
  .action(async () => {
    const settings = temporalSettings();
    const client = await connectClient(settings);
    try {
      const added = await registerSearchAttributes(client, settings.namespace);
      print(added.length ? `registered ${added.join(', ')} in ${settings.namespace}` : `search attributes already registered in ${settings.namespace}`);
    } finally {
      await client.connection.close();
    }
  });

program
  .command('up')
  .description('Start the embedded stack: Temporal dev server (Web UI on :8233) and the worker. Ctrl-C stops it.')
  .action(async () => {
    process.exitCode = await up(upOptionsFromEnv(), print);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
