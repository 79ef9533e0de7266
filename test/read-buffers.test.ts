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

/** A pool that remembers the memory of every buffer it lent. */
class Lending extends ReadBuffers {
  readonly made = new Set<ArrayBufferLike>();
  override acquire(size: number): Buffer<ArrayBuffer> {
    const buffer = super.acquire(size);
    this.made.add(buffer.buffer);
    return buffer;
  }
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

  it('takes back the buffer of a read that failed half-way, once: grown past its cap, or a read error after it grew', async () => {
    const { dir, cleanup } = scratch();
    try {
      const file = join(dir, 'machines.json');
      writeFileSync(file, page(0, 8000));
      const buffers = new Lending();
      const first = buffers.acquire(10);
      buffers.release(first);
      // Checked at 10 bytes, about 1.5 MB by the time it is read: it outgrows the first buffer (1 MiB), then its cap.
      const capped = await readOpened({ handle: await open(file), size: 10 }, 'export', first.length + 1000, buffers);
      expect('problem' in capped && capped.problem.code).to.equal('too-large');
      // A disk that fails once the read has outgrown its first buffer.
      const handle = await open(file);
      let reads = 0;
      const failing = Object.assign(Object.create(handle) as typeof handle, {
        read: async (buffer: Buffer, offset: number, length: number) => {
          if (reads++ > 0) throw Object.assign(new Error('I/O error'), { code: 'EIO' });
          return { bytesRead: length, buffer: buffer.fill(0x20, offset, offset + length) };
        },
        close: () => handle.close(),
      });
      const failed = await readOpened({ handle: failing, size: 10 }, 'export', undefined, buffers);
      expect('problem' in failed && failed.problem.message).to.equal('cannot be read (EIO)');
      // Every buffer those reads took is back, each once: the next reads get them all, and no other.
      const made = [...buffers.made];
      expect(made.length).to.be.at.least(2);
      const back = made.map(() => buffers.acquire(1).buffer);
      expect(back.filter((memory) => !made.includes(memory)), 'buffers made anew').to.have.length(0);
      expect(new Set(back).size, 'buffers lent twice').to.equal(made.length);
    } finally {
      cleanup();
    }
  });

  it('takes back the bytes of a file that does not decode or parse, so the next file is read into them', async () => {
    const { dir, cleanup } = scratch();
    try {
      const text = page(0, 300);
      const broken = Buffer.from(text);
      broken[broken.length - 40] = 0xc3; // a lead byte with no continuation: not UTF-8
      const files: [string, Buffer | string, string][] = [
        ['machines.bad-utf8.json', broken, 'encoding'],
        ['machines.cut.json', text.slice(0, -20), 'json-syntax'],
        ['machines.utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le'), Buffer.from([0x7d])]), 'encoding'],
        ['machines.bom-only.json', Buffer.from([0xef, 0xbb, 0xbf]), 'empty-file'],
      ];
      const buffers = new ReadBuffers();
      for (const [name, bytes, code] of files) {
        writeFileSync(join(dir, name), bytes);
        const read = await readOpened(await opened(join(dir, name)), 'export', undefined, buffers);
        if ('problem' in read) throw new Error(read.problem.message);
        const parsed = jsonExportOf(read, name, buffers);
        expect(!parsed.ok && parsed.diagnostic.code, name).to.equal(code);
        expect(buffers.acquire(1).buffer, name).to.equal(read.bytes.buffer);
        buffers.release(read.bytes);
      }
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

  it('keeps few free buffers, in bytes as in number: the largest first, and always one', () => {
    const MiB = 1024 * 1024;
    const buffers = new ReadBuffers(4, 10 * MiB);
    // Made with a quarter to spare, in whole MiB: 2, 3, 4 and 5 MiB.
    const lent = [1.5, 2.4, 3.2, 4].map((m) => buffers.acquire(m * MiB));
    expect(lent.map((b) => b.length / MiB)).to.deep.equal([2, 3, 4, 5]);
    for (const b of lent) buffers.release(b);
    // 5 + 4 fit in 10 MiB; the 3 and 2 MiB ones are let go, so a read of 2.5 MiB takes the 4 MiB one.
    expect(buffers.acquire(2.5 * MiB).buffer).to.equal(lent[2].buffer);
    expect(buffers.acquire(2.5 * MiB).buffer).to.equal(lent[3].buffer);
    expect([lent[0].buffer, lent[1].buffer]).to.not.include(buffers.acquire(MiB).buffer);
    // One buffer larger than the whole allowance is still kept: the next file of that size reuses it.
    const huge = buffers.acquire(20 * MiB);
    buffers.release(huge);
    expect(buffers.acquire(20 * MiB).buffer).to.equal(huge.buffer);
  });
});
