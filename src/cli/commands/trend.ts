/**
 * `posture-lint trend <report.json | folder>...`: posture over time from JSON reports of `lint`
 * (each run's `--format json --output reports/<date>.json`): failing findings per rule, with
 * `--framework` failing resources per control, and what was fixed and what is new between reports.
 * Exit 2 when a report cannot be read or is of a format this version does not know; else 0.
 */
import { parseCommandArgs } from '../args';
import { resolveFramework, unknownFramework } from '../../compliance/frameworks';
import { readReports } from '../../trend/read';
import { trend } from '../../trend/trend';
import { TREND_FORMATS, TREND_FORMATTERS, type TrendFormat } from '../../trend/format';
import { writeFileAtomic } from '../output';
import { formatProblem, UsageError, type CliIo } from '../io';
import { didYouMean } from '../../suggest';

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string' },
  framework: { type: 'string' },
} as const;

export async function trendCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (positionals.length === 0) throw new UsageError('trend needs JSON reports of lint (files, or a folder of them)');
  const format = (values.format ?? 'text') as TrendFormat;
  if (!TREND_FORMATS.includes(format)) throw new UsageError(`unknown trend format '${format}'${didYouMean(format, TREND_FORMATS)} (known: ${TREND_FORMATS.join(', ')})`);
  const framework = values.framework !== undefined ? resolveFramework(values.framework) : undefined;
  if (values.framework !== undefined && !framework) throw new UsageError(unknownFramework(values.framework));
  const { reports, diagnostics } = await readReports(positionals, io.cwd);
  for (const d of diagnostics) io.stderr(`${formatProblem(d)}\n`);
  if (diagnostics.some((d) => d.severity === 'error')) return 2;
  const text = TREND_FORMATTERS[format](trend(reports, framework));
  if (values.output !== undefined) await writeFileAtomic(values.output, text);
  else io.stdout(text);
  return 0;
}
