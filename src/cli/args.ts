/**
 * The one argument parser every command uses: node's `parseArgs`, with its failures turned into
 * messages a user can act on (a did-you-mean for a misspelt option, a clear word for a negative
 * number) instead of node's parser text.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../suggest';
import { UsageError } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true; tokens: true }>>;

/** Options whose value is a count: whole numbers of 0 or more. */
const COUNT_OPTIONS = new Set(['max-findings', 'max-warnings']);

/**
 * `parseArgs` with positionals and tokens, strict. A value that starts with `-` (`--max-findings -1`)
 * would be read by node as a missing value; it is refused here, naming what the option takes.
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O): Parsed<O> {
  for (let i = 0; i < args.length - 1; i++) {
    const name = /^--([^=]+)$/.exec(args[i])?.[1];
    if (name === undefined || !Object.hasOwn(options, name) || options[name].type !== 'string') continue;
    const value = args[i + 1];
    if (/^-\d/.test(value) || (value.startsWith('-') && COUNT_OPTIONS.has(name))) {
      throw new UsageError(COUNT_OPTIONS.has(name) ? `--${name} takes a whole number of 0 or more, not '${value}'` : `--${name} needs a value, and '${value}' starts with '-' (write --${name}=${value} if you mean it)`);
    }
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'(-[^']*)'/.exec(err.message)?.[1] ?? err.message;
      const bare = given.replace(/^-+/, '').split('=')[0];
      throw new UsageError(`unknown option '${given}'${didYouMean(bare, Object.keys(options), (o) => `--${o}`)}`);
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = /'(--?[^' ]+)/.exec(err.message)?.[1] ?? 'an option';
      throw new UsageError(/argument missing/.test(err.message) ? `${name} needs a value` : /does not take an argument/.test(err.message) ? `${name} takes no value` : err.message.split('\n')[0]);
    }
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(err.message);
    throw e;
  }
}

/** A count option's value (`--max-findings 3`): a whole number of 0 or more, or undefined when not given. */
export function countOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} takes a whole number of 0 or more, not '${String(raw)}'`);
  return n;
}
