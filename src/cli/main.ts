/**
 * The command line. `main` dispatches to a command and returns its exit code; only bin.ts
 * touches `process`. Usage errors exit 2 with a message on stderr.
 */
import { formatterNames } from '../report/formatters';
import { SEVERITIES } from '../report/model';
import { packageVersion } from '../paths';
import { terminalIo, UsageError, type CliIo } from './io';
import { OutOfMemory } from './lint-job';
import { lintCommand } from './commands/lint';
import { explainCommand, rulesCommand } from './commands/catalog';
import { validateCommand } from './commands/validate';
import { testCommand } from './commands/test';
import { initCommand } from './commands/init';
import { baselineCommand } from './commands/baseline';
import { trendCommand } from './commands/trend';

export type { CliIo } from './io';

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  lint: lintCommand,
  rules: rulesCommand,
  explain: explainCommand,
  validate: validateCommand,
  test: testCommand,
  init: initCommand,
  baseline: baselineCommand,
  trend: trendCommand,
};

function help(): string {
  return `posture-lint — lint offline exports of an Azure estate (ARM, Defender for Cloud,
Defender for Endpoint, Microsoft Graph) with declarative YAML rules.

Usage:
  posture-lint lint <snapshot-folder>... [options]
                                                  lint snapshot folders (several run one per core,
                                                  each with its own report)
  posture-lint rules [rule options]               list the rules that would run, with the exports they need
  posture-lint explain <rule-id> [rule options]   print a rule's documentation
  posture-lint validate <rules...>                check rule files (no snapshot needed)
  posture-lint test [rules...]                    run rules' test cases (default: the config's rules)
  posture-lint init [folder]                      scaffold a custom rules folder with a tested example
  posture-lint baseline create <snapshot-folder> [--output <file>]
                                                  record today's findings; lint --baseline then fails
                                                  only on new ones
  posture-lint trend <report.json | folder>... [--framework <name>] [--format text|markdown|html|json]
                  [--output <file>]
                                                  failing findings per rule (and per control) across
                                                  JSON reports of lint, in snapshot-time order, and
                                                  what was fixed and what is new between them
  posture-lint --help | --version

Rule options (lint, rules, explain):
  --ruleset <set>      built-in rules to run: a rule set (recommended, recommended@1, …), all or
                       none (default: recommended, or the config's ruleset)
  --rules <path>       your own rule file or folder, run beside the rule set; repeatable
  --config <file>      configuration file (default: ./posture-lint.yaml if present)

lint options:
  --format <name>      output format: ${formatterNames().join(', ')} (default: stylish);
                       repeatable, each with its own --output
  --output <file>      write the preceding --format to a file (atomically) instead of stdout;
                       with several snapshot folders it must hold {snapshot} (reports/{snapshot}.json)
  --fail-on <sev>      lowest severity that fails the run: ${SEVERITIES.join(', ')} (default: low)
  --max-findings <n>   failing findings tolerated before the run fails (default: 0)
  --waivers <file>     accepted risks (YAML): waived findings are reported but do not fail
  --baseline <file>    known findings (from baseline create): only new findings fail
  --strict             rules that could not be evaluated fail the run (exit 2)
  --manifest <file>    snapshot manifest (default: <snapshot-folder>/snapshot.yaml if present)
  --now <iso-time>     evaluation time for age checks, UTC unless it names a zone (default: the
                       manifest's takenAt)
  --color, --no-color  force colour on or off (default: on for a terminal, off if NO_COLOR is set)
  --repo-root <dir>    repository root that sarif, github and junit name files from (default: the
                       git checkout holding the snapshot folder)
  --framework <name>   report compliance with a framework: each control's status, rules, failing
                       resources per subscription and waivers (json, html, markdown, stylish):
                       mcsb, cis-azure, nist-800-53, or a version such as cis-azure@2.0.0;
                       repeatable
  --sarif-include-suppressed
                       keep waived and baselined findings in sarif, marked suppressed (GitHub code
                       scanning shows them as open alerts, so they are left out by default)

Exit codes:
  0  no findings at or above --fail-on (test: every case passed)
  1  findings at or above --fail-on (test: a case failed)
  2  usage error, invalid rule or config file, unreadable or unrecognised input, an export the
     manifest promises that is missing or incomplete, or (with --strict) a rule not evaluated
`;
}

export async function main(argv: string[], raw: CliIo): Promise<number> {
  const io = terminalIo(raw);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(help());
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(help());
      return 0;
    }
    const run = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await run(rest, io);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`posture-lint: ${err.message}\nRun 'posture-lint --help' for usage.\n`);
      return 2;
    }
    if (e instanceof OutOfMemory) {
      io.stderr(`posture-lint: ${err.message}\n`);
      return 2;
    }
    // A report that cannot be written (no such folder, a directory, no permission) is not a bug.
    if ((e as NodeJS.ErrnoException).syscall !== undefined) {
      io.stderr(`posture-lint: ${err.message}\n`);
      return 2;
    }
    throw e;
  }
}
