/**
 * `posture-lint lint <snapshot>...`: lint snapshot folders and gate on the result. `--format` is
 * repeatable, each followed by its own `--output`, so one run writes SARIF for code scanning,
 * JUnit for the test tab and a summary for the log. Several snapshots (one per tenant) are linted
 * in parallel, one report each: `--output reports/{snapshot}.sarif` names each file.
 */
import * as path from 'node:path';
import { jobFor, lintAndWrite, requireSnapshotFolder } from '../lint-job';
import { formatterNames, getFormatter, WRITES_WORKFLOW_COMMANDS } from '../../report/formatters';
import { SEVERITIES, type Formatter, type Severity } from '../../report/model';
import { fileText, lineBlocks, refuseUnsafeOutputs, removedOnSignal, scratchFolder, writeFileAtomic, writtenInPlace } from '../output';
import { UsageError, type CliIo } from '../io';
import { didYouMean } from '../../suggest';
import { printable, terminalCommands, terminalText } from '../../report/text';
import { countOption, parseCommandArgs } from '../args';
import { configFor, RULE_OPTIONS } from '../options';
import { ProgressDisplay, wantsProgress } from '../progress';
import { placeInRepository } from '../repository';
import { resolveFramework, unknownFramework } from '../../compliance/frameworks';

const OPTIONS = {
  ...RULE_OPTIONS,
  format: { type: 'string', multiple: true },
  output: { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  'max-findings': { type: 'string' },
  strict: { type: 'boolean', default: false },
  manifest: { type: 'string' },
  now: { type: 'string' },
  waivers: { type: 'string' },
  baseline: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'repo-root': { type: 'string' },
  'sarif-include-suppressed': { type: 'boolean', default: false },
  framework: { type: 'string', multiple: true },
} as const;

interface Target {
  format: string;
  formatter: Formatter;
  output?: string;
}

/** Pairs each --format with the --output that follows it; a format with none goes to stdout. */
function targets(tokens: ReturnType<typeof parseCommandArgs>['tokens']): Target[] {
  const out: { format: string; output?: string }[] = [];
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (t.name === 'format') out.push({ format: String(t.value) });
    else if (t.name === 'output') {
      const last = out[out.length - 1];
      if (!last) out.push({ format: 'stylish', output: String(t.value) });
      else if (last.output !== undefined) throw new UsageError(`--output ${t.value} follows another --output; give each --format its own --output`);
      else last.output = String(t.value);
    }
  }
  if (out.length === 0) out.push({ format: 'stylish' });
  if (out.filter((t) => t.output === undefined).length > 1) throw new UsageError('only one --format can go to stdout; give the others an --output file');
  return out.map((t) => {
    const formatter = getFormatter(t.format);
    if (!formatter) {
      const known = formatterNames();
      throw new UsageError(`unknown format '${t.format}'${didYouMean(t.format, known)} (known: ${known.join(', ')})`);
    }
    return { ...t, formatter };
  });
}

const PLACEHOLDER = '{snapshot}';

/** A file-name-safe name per snapshot folder; two folders with the same name are a usage error. */
function snapshotNames(folders: string[]): string[] {
  const names = folders.map((f) => path.basename(path.resolve(f)).replace(/[^A-Za-z0-9._-]/g, '_'));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`two snapshot folders are both named '${dup}'; {snapshot} in --output would not tell them apart`);
  return names;
}

export async function lintCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, tokens } = parseCommandArgs(args, OPTIONS);
  if (positionals.length === 0) throw new UsageError('lint needs a snapshot folder');
  for (const folder of positionals) await requireSnapshotFolder(folder, io.cwd);
  const outputs = targets(tokens);
  const many = positionals.length > 1;
  const names = snapshotNames(positionals);
  if (many) {
    for (const t of outputs) {
      if (t.output === undefined && t.format !== 'stylish') throw new UsageError(`with several snapshots, --format ${t.format} needs --output with ${PLACEHOLDER} in it`);
      if (t.output !== undefined && !t.output.includes(PLACEHOLDER)) throw new UsageError(`with several snapshots, --output ${t.output} needs ${PLACEHOLDER} in it, e.g. reports/${PLACEHOLDER}.json`);
    }
  }
  const failOnFlag = values['fail-on'];
  if (failOnFlag !== undefined && !(SEVERITIES as readonly string[]).includes(failOnFlag)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOnFlag}'${didYouMean(failOnFlag, SEVERITIES)}`);
  }
  const maxFindings = countOption(values, 'max-findings');
  for (const name of values.framework ?? []) {
    if (!resolveFramework(name)) throw new UsageError(unknownFramework(name));
  }
  const loaded = await configFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  await refuseUnsafeOutputs(
    names.flatMap((name) => outputs.flatMap((t) => (t.output === undefined ? [] : [t.output.split(PLACEHOLDER).join(name)]))),
    {
      folders: positionals,
      files: [config?.file, values.manifest, values.waivers ?? config?.waivers, values.baseline ?? config?.baseline],
      rules: [...(config?.rules ?? []), ...(values.rules ?? [])],
    },
    io.cwd,
  );
  // Only what the command line says: lint() lets it win over the configuration file and names
  // each setting of the file that weakens it.
  const gate = { strict: values.strict, ...(failOnFlag !== undefined ? { failOn: failOnFlag as Severity } : {}), ...(maxFindings !== undefined ? { maxFindings } : {}) };
  const places = await Promise.all(positionals.map((snapshot) => placeInRepository(snapshot, values['repo-root'], io.cwd)));
  const jobs = positionals.map((snapshot) => jobFor(snapshot, values, io.cwd, { gate, config }));
  const stderrTTY = io.stderrIsTTY === true;
  const display = wantsProgress(values, stderrTTY, io.env)
    ? new ProgressDisplay({ write: io.status ?? io.stderr, tty: stderrTTY && io.status !== undefined, ...(io.stderrColumns !== undefined ? { columns: io.stderrColumns } : {}) })
    : undefined;
  // Each report is written where it is made (lintAndWrite); what goes to stdout comes back as a scratch file.
  const colorOf = (t: Target): boolean => (values['no-color'] ? false : (values.color ?? (t.output === undefined && io.isTTY && !io.env.NO_COLOR)));
  const scratch = await scratchFolder();
  try {
    const stdoutOf = (i: number): string => path.join(scratch.folder, `stdout-${i}.txt`);
    // A device, pipe or link (/dev/stdout, a FIFO) gets its report after the jobs, from a scratch file, in
    // the order of the command line: the jobs write theirs in no set order, all before stdout's.
    const targetsOf = names.map((name) => outputs.map((t) => (t.output === undefined ? undefined : t.output.split(PLACEHOLDER).join(name))));
    const devices = await Promise.all(targetsOf.map((files) => Promise.all(files.map(async (f) => f !== undefined && (await writtenInPlace(path.resolve(io.cwd, f)))))));
    const scratchOf = (i: number, k: number): string => path.join(scratch.folder, `output-${i}-${k}.txt`);
    const writing = jobs.map((job, i) => ({
      ...job,
      outputs: outputs.map((t, k) => ({
        format: t.format,
        file: t.output === undefined ? stdoutOf(i) : devices[i][k] ? scratchOf(i, k) : targetsOf[i][k]!,
        context: {
          color: colorOf(t),
          ...(places[i] !== undefined ? { snapshotInRepository: places[i]!.snapshot } : {}),
          ...(places[i]?.workingDirectory !== undefined ? { workingDirectoryInRepository: places[i]!.workingDirectory } : {}),
          includeSuppressed: values['sarif-include-suppressed'],
          ...(values.framework ? { frameworks: values.framework } : {}),
        },
      })),
    }));
    const written = removedOnSignal(writing.flatMap((job) => job.outputs.map((o) => o.file)));
    let results;
    try {
      results = await lintAndWrite(writing, display ? { progress: (job, counts) => display.update(job, counts) } : {});
    } finally {
      // Erased before the report is printed, so the two never share a line.
      display?.finish();
      written.done();
    }
    const toStdout = outputs.find((t) => t.output === undefined);
    let code: 0 | 1 | 2 = 0;
    for (let i = 0; i < results.length; i++) {
      for (const [k, t] of outputs.entries()) {
        if (devices[i][k]) await writeFileAtomic(targetsOf[i][k]!, fileText(scratchOf(i, k)));
        if (t !== toStdout) continue;
        const [write, header] = colorOf(toStdout)
          ? [io.styled ?? io.stdout, terminalText(positionals[i])]
          : WRITES_WORKFLOW_COMMANDS.has(toStdout.formatter)
            ? [(block: string) => (io.styled ?? io.stdout)(terminalCommands(block)), printable(positionals[i])]
            : [io.stdout, positionals[i]];
        if (many) write(`== ${header}\n`);
        for (const block of lineBlocks(fileText(stdoutOf(i)))) write(block);
        if (many) write('\n');
      }
      code = Math.max(code, results[i].exitCode) as 0 | 1 | 2;
    }
    return code;
  } finally {
    scratch.remove();
  }
}
