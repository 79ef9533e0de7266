/** `posture-lint lint <snapshot>`: lint one snapshot folder and gate on the result. */
import { exitCode, lint } from '../../lint';
import { formatterNames, getFormatter } from '../../report/formatters';
import { SEVERITIES, type Severity } from '../../report/model';
import { writeFileAtomic } from '../output';
import { UsageError, type CliIo } from '../io';
import { configFor, RULE_OPTIONS } from '../options';
import { parseArgs } from 'node:util';

export async function lintCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {
    ...RULE_OPTIONS,
    format: { type: 'string', default: 'stylish' },
    output: { type: 'string' },
    'fail-on': { type: 'string' },
    strict: { type: 'boolean', default: false },
    manifest: { type: 'string' },
    now: { type: 'string' },
    color: { type: 'boolean' },
    'no-color': { type: 'boolean' },
  } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'lint needs a snapshot folder' : `lint takes one snapshot folder, got ${positionals.length}`);
  const formatter = getFormatter(values.format);
  if (!formatter) throw new UsageError(`unknown format '${values.format}' (known: ${formatterNames().join(', ')})`);
  const failOnFlag = values['fail-on'];
  if (failOnFlag !== undefined && !(SEVERITIES as readonly string[]).includes(failOnFlag)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOnFlag}'`);
  }
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO 8601 time, not '${values.now}'`);
  }
  const loaded = await configFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  const { report, rules } = await lint({ snapshot: positionals[0], ruleset: values.ruleset, rules: values.rules, manifest: values.manifest, now, config });
  const color = values['no-color'] ? false : (values.color ?? (values.output === undefined && io.isTTY && !io.env.NO_COLOR));
  const text = formatter(report, { rules, color });
  if (values.output) await writeFileAtomic(values.output, text);
  else io.stdout(text);
  const failOn = (failOnFlag ?? config?.failOn ?? 'low') as Severity;
  return exitCode(report, { failOn, strict: values.strict });
}
