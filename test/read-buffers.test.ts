/**
 * Whole-file reads of a snapshot go into reused buffers (src/input-file.ts ReadBuffers): memory
 * outside V8's heap that grows with every file read makes V8 run a full collection per 64 MB, which
 * made the load of a million devices twice as slow. Reuse must never change what a read returns,
 * nor let two reads share memory.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readOpened, ReadBuffers, openInput } from '../src/input-file';
import { jsonExportOf } from '../src/snapshot/read';
import { scratch } from './snapshot-helpers';

const MACHINES = 'https://api.security.microsoft.com/api/$metadata#Machines';

/** An MDE machines page of `n` devices starting at `from`, as the API writes it (pretty-printed like az rest). */
function page(from: number, n: number): string {
  const value = Array.from({ length: n }, (_, i) => ({ id: (from + i).toString(16).padStart(40, '0'), computerDnsName: `host-${from + i}.corp.contoso.com`, osPlatform: 'Ubuntu', healthStatus: 'Active' }));
  return JSON.stringify({ '@odata.context': MACHINES, value }, null, 2);
}

async function opened(file: string) {
  const o = await openInput(file);
  if ('problem' in o) throw new Error(o.problem.message);
  return o;
}

describe('reads into reused buffers', () => {
  it('reads each page into the memory the page before was in once it is decoded, and returns each page as written', async () => {
    const { dir, cleanup } = scratch();
    try {
      const files = [0, 1, 2].map((p) => {
        const file = join(dir, `machines.page-${p + 1}.json`);
        writeFileSync(file, page(p * 500, 500 - p));
        return file;
      });
      const buffers = new ReadBuffers();
      const memory: ArrayBufferLike[] = [];
      for (const [p, file] of files.entries()) {
        const read = await readOpened(await opened(file), 'export', undefined, buffers);
        if ('problem' in read) throw new Error(read.problem.message);
        memory.push(read.bytes.buffer);
        const parsed = jsonExportOf(read, file, buffers);
        expect(parsed.ok).to.equal(true);
        if (!parsed.ok) return;
        expect(parsed.unwrapped.records.map((r) => r.value)).to.deep.equal(JSON.parse(page(p * 500, 500 - p)).value);
      }
      expect(memory[1]).to.equal(memory[0]);
      expect(memory[2]).to.equal(memory[0]);
    } finally {
      cleanup();
    }
  });

  it('reads a file that grew after it was checked whole, and refuses one that grew past its cap', async () => {
    const { dir, cleanup } = scratch();
    try {
      const file = join(dir, 'machines.json');
      const text = page(0, 2000);
      writeFileSync(file, text);
      const buffers = new ReadBuffers();
      // Checked when it held 10 bytes: the read outgrows its buffer, more than once.
      const grown = await readOpened({ handle: await open(file), size: 10 }, 'export', undefined, buffers);
      expect('bytes' in grown && grown.bytes.toString('utf8')).to.equal(text);
      const capped = await readOpened({ handle: await open(file), size: 10 }, 'export', 1000, buffers);
      expect('problem' in capped && capped.problem.code).to.equal('too-large');
    } finally {
      cleanup();
    }
  });

  it('lends a buffer to one read at a time: bytes handed back twice, or not its own, are ignored', () => {
    const buffers = new ReadBuffers();
    const first = buffers.acquire(1000);
    buffers.release(first.subarray(0, 10));
    buffers.release(first.subarray(0, 10));
    buffers.release(Buffer.alloc(4096));
    const a = buffers.acquire(1000);
    const b = buffers.acquire(1000);
    expect(a.buffer).to.equal(first.buffer);
    expect(b.buffer).to.not.equal(a.buffer);
    // A buffer too small for the read is never handed out for it.
    buffers.release(a);
    expect(buffers.acquire(a.length + 1).length).to.be.at.least(a.length + 1);
  });
});
