/**
 * The command line. `main` parses arguments, calls the library and returns the exit code; only
 * bin.ts touches `process`. Usage errors exit 2 with a message on stderr.
 */
import { parseArgs } from 'node:util';
import { lint, exitCode } from '../lint';
import { formatterNames, getFormatter } from '../report/formatters';
import { SEVERITIES, type Severity } from '../report/model';
import { packageVersion } from '../paths';
import { writeFileAtomic } from './output';
import { DEFAULT_RULESET } from '../rules/rulesets';
import { closest } from '../suggest';
import { explainRule, formatCatalog, ruleCatalog } from './catalog';
import type { Diagnostic } from '../diagnostics';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour by default). */
  isTTY: boolean;
}

const HELP = `posture-lint — lint offline exports of an Azure estate (ARM, Defender for Cloud,
Defender for Endpoint, Microsoft Graph) with declarative YAML rules.

Usage:
  posture-lint lint <snapshot-folder> [options]   lint a snapshot folder
  posture-lint rules [--ruleset <set>] [--rules <path>]   list the rules that would run
  posture-lint explain <rule-id> [--rules <path>]  print a rule's documentation
  posture-lint --help | --version

lint options:
  --ruleset <set>      built-in rules to run: a rule set (recommended, recommended@1, …), all or
                       none (default: recommended)
  --rules <path>       your own rule file or folder, run beside the rule set; repeatable
  --format <name>      output format: ${'{formats}'} (default: stylish)
  --output <file>      write the report to a file instead of stdout
  --fail-on <sev>      lowest severity that fails the run: ${SEVERITIES.join(', ')} (default: low)
  --strict             rules that could not be evaluated fail the run (exit 2)
  --manifest <file>    snapshot manifest (default: <snapshot-folder>/snapshot.yaml if present)
  --now <iso-time>     evaluation time for age checks (default: the manifest's takenAt)
  --color, --no-color  force colour on or off (default: on for a terminal, off if NO_COLOR is set)

Exit codes:
  0  no findings at or above --fail-on
  1  findings at or above --fail-on
  2  usage error, invalid rule file, unreadable or unrecognised input, an export the manifest
     promises that is missing or incomplete, or (with --strict) a rule not evaluated
`;

function help(): string {
  return HELP.replace('{formats}', formatterNames().join(', '));
}

class UsageError extends Error {}

function parseLintArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ruleset: { type: 'string', default: DEFAULT_RULESET },
      rules: { type: 'string', multiple: true },
      format: { type: 'string', default: 'stylish' },
      output: { type: 'string' },
      'fail-on': { type: 'string', default: 'low' },
      strict: { type: 'boolean', default: false },
      manifest: { type: 'string' },
      now: { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true as const };
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'lint needs a snapshot folder' : `lint takes one snapshot folder, got ${positionals.length}`);
  const formatter = getFormatter(values.format!);
  if (!formatter) throw new UsageError(`unknown format '${values.format}' (known: ${formatterNames().join(', ')})`);
  const failOn = values['fail-on']!;
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOn}'`);
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO 8601 time, not '${values.now}'`);
  }
  return {
    help: false as const,
    snapshot: positionals[0],
    ruleset: values.ruleset!,
    rules: values.rules,
    formatter,
    output: values.output,
    failOn: failOn as Severity,
    strict: values.strict!,
    manifest: values.manifest,
    now,
    color: values['no-color'] ? false : values.color,
  };
}

function parseCatalogArgs(args: string[], positionalCount: number) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ruleset: { type: 'string', default: DEFAULT_RULESET }, rules: { type: 'string', multiple: true } },
  });
  if (positionals.length !== positionalCount) throw new UsageError(positionalCount ? 'explain needs one rule id' : `unexpected argument '${positionals[0]}'`);
  return { ruleset: values.ruleset!, rules: values.rules ?? [], positionals };
}

function printDiagnostics(diagnostics: readonly Diagnostic[], io: CliIo): boolean {
  for (const d of diagnostics.filter((x) => x.severity === 'error')) {
    io.stderr(`${d.file ?? 'posture-lint'}${d.position ? `:${d.position.line}:${d.position.column}` : ''}: ${d.message}\n`);
  }
  return diagnostics.some((d) => d.severity === 'error');
}

async function runRules(args: string[], io: CliIo): Promise<number> {
  const opts = parseCatalogArgs(args, 0);
  const { entries, diagnostics } = await ruleCatalog({ ruleset: opts.ruleset, rules: opts.rules });
  if (printDiagnostics(diagnostics, io)) return 2;
  io.stdout(formatCatalog(entries));
  return 0;
}

async function runExplain(args: string[], io: CliIo): Promise<number> {
  const opts = parseCatalogArgs(args, 1);
  const { entries, diagnostics } = await ruleCatalog({ ruleset: 'all', rules: opts.rules });
  if (printDiagnostics(diagnostics, io)) return 2;
  const id = opts.positionals[0];
  const entry = entries.find((e) => e.meta.id === id);
  if (!entry) {
    const hint = closest(id, entries.map((e) => e.meta.id));
    throw new UsageError(`no rule '${id}'${hint ? ` (did you mean '${hint}'?)` : ''}; 'posture-lint rules --ruleset all' lists them`);
  }
  io.stdout(await explainRule(entry));
  return 0;
}

async function runLint(args: string[], io: CliIo): Promise<number> {
  const opts = parseLintArgs(args);
  if (opts.help) {
    io.stdout(help());
    return 0;
  }
  const { report, rules } = await lint({ snapshot: opts.snapshot, ruleset: opts.ruleset, rules: opts.rules, manifest: opts.manifest, now: opts.now });
  const color = opts.color ?? (opts.output === undefined && io.isTTY && !io.env.NO_COLOR);
  const text = opts.formatter(report, { rules, color });
  if (opts.output) await writeFileAtomic(opts.output, text);
  else io.stdout(text);
  return exitCode(report, { failOn: opts.failOn, strict: opts.strict });
}

export async function main(argv: string[], io: CliIo): Promise<number> {
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
    if (command === 'lint') return await runLint(rest, io);
    if (command === 'rules') return await runRules(rest, io);
    if (command === 'explain') return await runExplain(rest, io);
    throw new UsageError(`unknown command '${command}' (commands: lint, rules, explain)`);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`posture-lint: ${err.message}\nRun 'posture-lint --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}
