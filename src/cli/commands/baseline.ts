/**
 * `posture-lint baseline create <snapshot> [--output baseline.json]`: record the current findings
 * so later runs with `lint --baseline` fail only on new ones. Refuses to record a snapshot that
 * did not load cleanly: a baseline taken on broken input would hide real findings.
 */
import { jobFor, lintAll } from '../lint-job';
import { createBaseline, formatBaseline } from '../../gate/baseline';
import { refuseUnsafeOutputs, writeFileAtomic } from '../output';
import { reportErrors, UsageError, type CliIo } from '../io';
import { configFor, RULE_OPTIONS } from '../options';
import { parseCommandArgs } from '../args';
import { plural } from '../../words';

export async function baselineCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(`baseline takes a subcommand: baseline create <snapshot-folder> [--output <file>]`);
  const { values, positionals } = parseCommandArgs(rest, { ...RULE_OPTIONS, output: { type: 'string' }, manifest: { type: 'string' }, now: { type: 'string' }, waivers: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('baseline create needs one snapshot folder');
  const loaded = await configFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  // The baseline the config names may be replaced: refreshing it is what this command is for.
  if (values.output) {
    await refuseUnsafeOutputs(
      [values.output],
      { folders: [positionals[0]], files: [config?.file, values.manifest, values.waivers ?? config?.waivers], rules: [...(config?.rules ?? []), ...(values.rules ?? [])] },
      io.cwd,
    );
  }
  const [{ report }] = await lintAll([jobFor(positionals[0], values, io.cwd, { config })]);
  if (reportErrors(report.diagnostics, io)) {
    io.stderr('posture-lint: no baseline written: fix the problems above first\n');
    return 2;
  }
  const baseline = createBaseline(report);
  const text = formatBaseline(baseline);
  if (values.output) await writeFileAtomic(values.output, text);
  else io.stdout(text);
  io.stderr(`recorded ${plural(baseline.findings.length, 'finding')}${values.output ? ` in ${values.output}` : ''}\n`);
  return 0;
}
