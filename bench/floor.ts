/**
 * The floor: what any tool must pay to look at a snapshot once. Reads every `*.json` file below the
 * folder (sorted, one at a time), decodes it as UTF-8 and JSON.parses it, and keeps the parsed
 * values alive until the end, as a linter that joins across files must; nothing else. Prints the
 * file and byte counts.
 *
 *   node floor.js <snapshot-folder> [--discard]
 *
 * --discard drops each value after parsing (the cost of reading alone, without holding the data).
 * Only Node built-ins are imported: bench/run.ts transpiles this file and runs it with plain
 * node, so no TypeScript toolchain start-up is counted.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) jsonFiles(full, out);
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

function main(args: string[]): number {
  const discard = args.includes('--discard');
  const root = args.find((a) => !a.startsWith('--'));
  if (root === undefined) {
    process.stderr.write('usage: node floor.js <snapshot-folder> [--discard]\n');
    return 2;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const kept: unknown[] = [];
  let bytes = 0;
  const files = jsonFiles(root);
  for (const file of files) {
    const raw = readFileSync(file);
    bytes += raw.length;
    const value: unknown = JSON.parse(decoder.decode(raw));
    if (!discard) kept.push(value);
  }
  process.stdout.write(`${files.length} files, ${bytes} bytes, ${kept.length} kept\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
