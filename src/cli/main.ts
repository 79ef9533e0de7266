/**
 * The command line. `main` dispatches to a command and returns its exit code; only bin.ts
 * touches `process`. Usage errors exit 2 with a message on stderr.
 */
import { packageVersion } from '../paths';
import { didYouMean } from '../suggest';
import { commandHelp, globalHelp } from './help';
import { terminalIo, UsageError, type CliIo } from './io';
import { OutOfMemory } from './lint-job';
import { BrokenPackage } from '../snapshot/validate';
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

export async function main(argv: string[], raw: CliIo): Promise<number> {
  const io = terminalIo(raw);
  const [command, ...rest] = argv;
  const known = command !== undefined && Object.hasOwn(COMMANDS, command);
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' && rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? rest[0] : undefined;
      io.stdout(topic ? commandHelp(topic) : globalHelp());
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    if (!known) {
      throw new UsageError(`unknown command '${command}'${didYouMean(command, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await COMMANDS[command](rest, io);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`posture-lint: ${err.message}\nRun 'posture-lint ${known ? `${command} ` : ''}--help' for usage.\n`);
      return 2;
    }
    if (e instanceof OutOfMemory || e instanceof BrokenPackage) {
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
