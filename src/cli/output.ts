/** Report files are written whole or not at all, so an upload step never reads a half-written report. */
import { mkdir, rename, stat, writeFile, unlink } from 'node:fs/promises';
import * as path from 'node:path';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  // A device or pipe (/dev/null, /dev/stdout, a FIFO) is written to, never replaced by a rename.
  const existing = await stat(file).catch(() => undefined);
  if (existing && !existing.isFile()) {
    await writeFile(file, text);
    return;
  }
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
