/**
 * `posture-lint baseline create <snapshot> [--output baseline.json]`: record the current findings
 * so later runs with `lint --baseline` fail only on new ones. Refuses to record a snapshot that
 * did not load cleanly: a baseline taken on broken input would hide real findings.
 */
import { jobFor, lintAll, requireSnapshotFolder } from '../lint-job';
import { baselinePieces, createBaseline } from '../../gate/baseline';
import { lineBlocks, refuseUnsafeOutputs, writeFileAtomic } from '../output';
import { MAX_INPUT_BYTES } from '../../input-file';
import { reportErrors, UsageError, type CliIo } from '../io';
import { configFor, RULE_OPTIONS } from '../options';
import { parseCommandArgs } from '../args';
import { plural } from '../../words';

export async function baselineCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(`baseline takes a subcommand: baseline create <snapshot-folder> [--output <file>]`);
  const { values, positionals } = parseCommandArgs(rest, { ...RULE_OPTIONS, output: { type: 'string' }, manifest: { type: 'string' }, now: { type: 'string' }, waivers: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('baseline create needs one snapshot folder');
  await requireSnapshotFolder(positionals[0], io.cwd);
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
  // A baseline lint --baseline would refuse as too large is not written: it would gate nothing.
  let bytes = 0;
  for (const piece of baselinePieces(baseline)) bytes += Buffer.byteLength(piece);
  const limit = MAX_INPUT_BYTES.baseline;
  if (bytes > limit) {
    io.stderr(
      `posture-lint: no baseline written: ${plural(baseline.findings.length, 'finding')} take ${bytes.toLocaleString('en-US')} bytes, more than the ${limit.toLocaleString('en-US')} bytes lint --baseline reads; ` +
        'record fewer (fix or disable the rules with the most findings first, or run with --rules for a part of the pack)\n',
    );
    return 2;
  }
  if (values.output) await writeFileAtomic(values.output, baselinePieces(baseline));
  else for (const block of lineBlocks(baselinePieces(baseline))) io.stdout(block);
  io.stderr(`recorded ${plural(baseline.findings.length, 'finding')}${values.output ? ` in ${values.output}` : ''}\n`);
  return 0;
}
