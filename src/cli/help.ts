/**
 * The command line's help: an overview (`posture-lint --help`) and one page per command
 * (`posture-lint <command> --help`) with its options and examples that run as shown.
 */
import { formatterNames } from '../report/formatters';
import { SEVERITIES } from '../report/model';

interface CommandHelp {
  usage: string;
  summary: string;
  /** A function when the text lists something known only at run time (the formatters). */
  options?: string | (() => string);
  examples: string[];
  /** What each exit code means for this command: codes 0 and 2 only, unless it can exit 1. */
  exitCodes: string;
}

/** Exit codes of the commands that read files and either succeed or stop on a problem. */
const ZERO_OR_TWO = (done: string, problem: string) => `  0  ${done}
  2  ${problem}`;

const RULE_OPTIONS = `  --ruleset <set>      built-in rules: a rule set (recommended, recommended@1, …), all or none
                       (default: recommended, or the config's ruleset)
  --rules <path>       your own rule file or folder, beside the rule set; repeatable
  --config <file>      configuration file (default: ./posture-lint.yaml if present)`;

const COMMANDS: Record<string, CommandHelp> = {
  lint: {
    usage: 'posture-lint lint <snapshot-folder>... [options]',
    summary: 'lint snapshot folders (several run one per core, each with its own report)',
    options: () =>
      `${RULE_OPTIONS}
  --format <name>      ${formatterNames().join(', ')}
                       (default: stylish); repeatable, each with its own --output
  --output <file>      write the preceding --format to a file (atomically) instead of stdout;
                       with several snapshot folders it must hold {snapshot}
  --fail-on <sev>      lowest severity that fails the run: ${SEVERITIES.join(', ')} (default: low)
  --max-findings <n>   failing findings tolerated before the run fails (default: 0)
  --waivers <file>     accepted risks (YAML): waived findings are reported but do not fail
  --baseline <file>    known findings (from baseline create): only new findings fail
  --strict             rules that could not be evaluated fail the run (exit 2)
  --manifest <file>    snapshot manifest (default: <snapshot-folder>/snapshot.yaml if present)
  --now <iso-time>     evaluation time for age checks, UTC unless it names a zone (default: the
                       manifest's takenAt)
  --framework <name>   report compliance with a framework: each control's status, rules, failing
                       resources per subscription and waivers (json, html, markdown, stylish):
                       mcsb, cis-azure, nist-800-53, or a version such as cis-azure@2.0.0; repeatable
  --color, --no-color  force colour on or off (default: on for a terminal, off if NO_COLOR is set)
  --progress, --no-progress
                       files, MB and records read, rules evaluated and time on stderr (default: on
                       when stderr is a terminal and not in CI, after 2 s; --progress in a pipe
                       prints a line every 5 s and one at the end); never on stdout or in a report
  --repo-root <dir>    repository root that sarif, github and junit name files from
                       (default: the git checkout holding the snapshot folder)
  --sarif-include-suppressed
                       keep waived and baselined findings in sarif, marked suppressed`,
    examples: [
      'posture-lint lint exports/2026-11-27',
      'posture-lint lint exports/2026-11-27 --format sarif --output posture.sarif --format stylish',
      'posture-lint lint exports/2026-11-27 --ruleset recommended@1 --fail-on high --strict',
      'posture-lint lint tenant-a tenant-b --format json --output reports/{snapshot}.json',
    ],
    exitCodes: `  0  no findings at or above --fail-on
  1  findings at or above --fail-on (more than --max-findings)
  2  usage error, invalid rule, config, waivers or baseline file, a rules path with no rule file,
     unreadable or unrecognised export, an export the manifest promises that is missing or incomplete,
     or (with --strict) a rule not evaluated`,
  },
  rules: {
    usage: 'posture-lint rules [options]',
    summary: 'list the rules that would run, with the exports each needs',
    options: RULE_OPTIONS,
    examples: ['posture-lint rules', 'posture-lint rules --ruleset all', 'posture-lint rules --rules my-rules/'],
    exitCodes: ZERO_OR_TWO('the rules were listed', 'usage error, an invalid rule, rule set or config file, or a rules path with no rule file'),
  },
  explain: {
    usage: 'posture-lint explain <rule-id> [options]',
    summary: "print a rule's documentation: what it checks, why, how to fix it, the exports and named conditions it uses",
    options: RULE_OPTIONS,
    examples: ['posture-lint explain vm-onboarded-to-mde', 'posture-lint explain prod-vms-tagged-in-mde --rules my-rules/'],
    exitCodes: ZERO_OR_TWO("the rule's documentation was printed", 'usage error, no rule with that id, an invalid rule or config file, or a rules path with no rule file'),
  },
  validate: {
    usage: 'posture-lint validate [rules...] [options]',
    summary: "check rule files and their *.conditions.yaml files without a snapshot (default: the config's rule folders)",
    options: `  --config <file>      configuration file whose rule folders to check (default: ./posture-lint.yaml)
  --max-warnings <n>   warnings tolerated before validate fails (exit 1; default: any number)`,
    examples: ['posture-lint validate', 'posture-lint validate my-rules/ --max-warnings 0'],
    exitCodes: `  0  no error (and no more warnings than --max-warnings)
  1  more warnings than --max-warnings
  2  usage error, a rule, conditions or config file with an error, or a path with no rule file`,
  },
  test: {
    usage: 'posture-lint test [rules...] [options]',
    summary: "run rules' test cases (<rule>.tests/<case>/case.yaml; default: the config's rule folders)",
    options: '  --config <file>      configuration file whose rule folders to test (default: ./posture-lint.yaml)',
    examples: ['posture-lint test', 'posture-lint test my-rules/prod-vms-tagged-in-mde.yaml'],
    exitCodes: `  0  every case passed
  1  a case failed (a rule that does not load fails each of its cases; validate says why)
  2  usage error, a path with no rule file, no test case at all, a case.yaml that cannot be
     read, or a config file with an error`,
  },
  trend: {
    usage: 'posture-lint trend <report.json | folder>... [options]',
    summary: 'failing findings per rule (and per control) across JSON reports of lint, and what was fixed and what is new',
    options: `  --framework <name>   group by the controls of a framework (mcsb, cis-azure, nist-800-53, …)
  --format <name>      text (default), markdown, html or json
  --output <file>      write to a file (atomically) instead of stdout`,
    examples: ['posture-lint trend reports/', 'posture-lint trend reports/ --framework cis-azure --format markdown --output trend.md'],
    exitCodes: ZERO_OR_TWO('the trend was written (findings in the reports do not change it)', 'usage error, or a report missing, unreadable or not a JSON report of lint'),
  },
  init: {
    usage: 'posture-lint init [folder]',
    summary: 'scaffold a custom rules folder with a config and a tested example rule',
    examples: ['posture-lint init my-rules && cd my-rules && posture-lint test'],
    exitCodes: ZERO_OR_TWO('the folder was scaffolded', 'usage error, or a file init would overwrite'),
  },
  baseline: {
    usage: 'posture-lint baseline create <snapshot-folder> [options]',
    summary: "record today's findings; lint --baseline then fails only on new ones",
    options: `${RULE_OPTIONS}
  --output <file>      write the baseline to a file instead of stdout
  --waivers <file>     accepted risks, left out of the baseline
  --manifest <file>    snapshot manifest (default: <snapshot-folder>/snapshot.yaml if present)
  --now <iso-time>     evaluation time for age checks`,
    examples: [
      'posture-lint baseline create exports/2026-11-27 --output posture-baseline.json',
      'posture-lint lint exports/2026-12-04 --baseline posture-baseline.json',
    ],
    exitCodes: ZERO_OR_TWO('the baseline was written (findings do not fail this command)', 'usage error, or any input problem lint would exit 2 on: no baseline is written'),
  },
};

const EXIT_CODES = `Exit codes:
  0  no findings at or above --fail-on (test: every case passed; validate: no error)
  1  findings at or above --fail-on (test: a case failed; validate: more warnings than --max-warnings)
  2  usage error, invalid rule or config file, a rules path with no rule file, unreadable or
     unrecognised input, an export the manifest promises that is missing or incomplete, or (with
     --strict) a rule not evaluated`;

function optionsOf(help: CommandHelp): string | undefined {
  return typeof help.options === 'function' ? help.options() : help.options;
}

export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

/** `posture-lint --help`: every command with what it does. */
export function globalHelp(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `posture-lint — lint offline exports of an Azure estate (ARM, Defender for Cloud,
Defender for Endpoint, Microsoft Graph) with declarative YAML rules.

Usage:
${lines.join('\n')}
  posture-lint --help | --version

Run 'posture-lint <command> --help' for a command's options and examples.

${EXIT_CODES}
`;
}

/** `posture-lint <command> --help`. */
export function commandHelp(name: string): string {
  const help = COMMANDS[name];
  const options = optionsOf(help);
  return `${help.summary[0].toUpperCase()}${help.summary.slice(1)}.

Usage: ${help.usage}
${options ? `\nOptions:\n${options}\n` : ''}
Examples:
${help.examples.map((e) => `  ${e}`).join('\n')}

Exit codes:
${help.exitCodes}
`;
}
