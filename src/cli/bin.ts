#!/usr/bin/env node
/**
 * The bin shim: the only place that touches process. Unexpected failures exit 2, never 0, and so
 * does output that cannot be written: a closed pipe (`| head`) ends the run quietly, a full disk
 * says so; a signal removes the temporary files of reports being written.
 */
import { main } from './main';
import { removeTemporaryFiles, removeTemporaryFilesOn } from './output';
import { terminalText } from '../report/text';

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, removeTemporaryFilesOn(signal));

/** Stops the run with exit 2 when a standard stream cannot be written. */
function writeFailed(stream: 'stdout' | 'stderr') {
  return (e: NodeJS.ErrnoException): void => {
    removeTemporaryFiles();
    // A reader that stopped reading is no news to report; anything else (ENOSPC, EIO) is.
    if (stream === 'stdout' && e.code !== 'EPIPE') {
      try {
        process.stderr.write(`posture-lint: cannot write the output: ${e.message}\n`);
      } catch {
        // stderr is gone too: the exit code says it.
      }
    }
    process.exit(2);
  };
}
process.stdout.on('error', writeFailed('stdout'));
process.stderr.on('error', writeFailed('stderr'));

main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  ...(process.stderr.columns !== undefined ? { stderrColumns: process.stderr.columns } : {}),
  status: (t) => process.stderr.write(t),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(terminalText(`posture-lint: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
    process.exitCode = 2;
  },
);
