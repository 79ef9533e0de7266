import { expect } from 'chai';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadSnapshot } from '../src/snapshot/load';
import type { ExportRead } from '../src/snapshot/read';
import { streamExport, type StreamFormat } from '../src/snapshot/stream';
import { machineRecord, writeMachinesFile } from '../scripts/machines-file';
import { brief, FIXTURES, readInMemory, scratch, SNAPSHOTS } from './snapshot-helpers';
import { REAL_EXAMPLES } from './snapshot-real-examples';

const DEMO = join(__dirname, '..', 'fixtures', 'snapshots', 'contoso');

/** What a read gave, without the locate function: records and envelope, or the diagnostic. */
function outcome(read: ExportRead): unknown {
  return read.ok ? read.unwrapped : read.diagnostic;
}

async function streamed(path: string, chunkSize: number, format: StreamFormat = 'json'): Promise<unknown> {
  return outcome(await streamExport(path, 'export.json', { format, chunkSize }));
}

async function inMemory(path: string): Promise<unknown> {
  return outcome(await readInMemory(path, 'export.json'));
}

/** Writes `content` to a scratch file and runs `check` on its path. */
async function withFile(name: string, content: string | Buffer, check: (path: string, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = scratch();
  try {
    writeFileSync(join(dir, name), content);
    await check(join(dir, name), dir);
  } finally {
    cleanup();
  }
}

/** Every chunk size from 1 byte to the whole file gives `expected`: every byte offset is a chunk boundary once. */
async function expectSameAtEveryChunkSize(path: string, expected: unknown, format: StreamFormat = 'json'): Promise<void> {
  const size = statSync(path).size;
  for (let chunkSize = 1; chunkSize <= size; chunkSize++) {
    const got = await streamed(path, chunkSize, format);
    if (!isDeepStrictEqual(got, expected)) expect(got, `chunk size ${chunkSize}`).to.deep.equal(expected);
  }
}

/** Escaped quotes, backslashes, brackets in strings, é / 中 / emoji, nested values, and the next link after the records. */
const TRICKY = `{
  "@odata.context": "https://api.security.microsoft.com/api/$metadata#Machines",
  "value": [
    {"id": "1f2e3d4c5b6a79880f1e2d3c4b5a69788f7e6d5c", "computerDnsName": "café-01.contoso.com", "osPlatform": "Windows11", "healthStatus": "Active",
     "lastSeen": "2026-11-27T00:34:41Z", "machineTags": ["a \\"quoted\\" [tag] {x}", "back\\\\slash\\\\", "]},{\\"", "中文", "😀", "\\u00e9\\ud83d\\ude00"],
     "osBuild": 22631, "exposureScore": -1.5e3, "isAadJoined": true, "aadDeviceId": null, "nested": {"a": [[], {}, [1, [2, {"b": "}"}]]]}},
    {"id": "2f2e3d4c5b6a79880f1e2d3c4b5a69788f7e6d5c", "computerDnsName": "中文-02", "osPlatform": "Linux", "healthStatus": "Inactive", "lastSeen": "2026-11-26T00:00:00Z", "vmMetadata": null}
  ],
  "@odata.nextLink": "https://api.security.microsoft.com/api/machines?$skiptoken=%22x%22"
}`;

describe('snapshot loader: streaming reader', () => {
  describe('gives the same snapshot as the in-memory path', () => {
    const examples = [join(FIXTURES, 'real-examples'), join(FIXTURES, 'real-examples-repaired'), DEMO];
    const cases = readdirSync(SNAPSHOTS).map((name) => join(SNAPSHOTS, name));
    for (const dir of [...examples, ...cases]) {
      it(`for ${dir.slice(join(__dirname, '..').length + 1)}`, async () => {
        const memory = await loadSnapshot(dir);
        const stream = await loadSnapshot(dir, { streamThreshold: 0 });
        expect(stream).to.deep.equal(memory);
      });
    }

    it('for every real example, with chunks small enough to split its records', async () => {
      for (const example of REAL_EXAMPLES) {
        const path = join(FIXTURES, example.file);
        const expected = await inMemory(path);
        for (const chunkSize of [5, 64, 1000]) {
          expect(await streamed(path, chunkSize), `${example.file}, chunk size ${chunkSize}`).to.deep.equal(expected);
        }
      }
    });
  });

  describe('chunk boundaries', () => {
    it('cuts records the same wherever a chunk ends: escapes, brackets in strings, multi-byte characters', async () => {
      await withFile('tricky.json', TRICKY, async (path) => {
        const expected = await inMemory(path);
        const records = (expected as { records: { value: { machineTags?: string[] } }[] }).records;
        expect(records[0].value.machineTags).to.deep.equal(['a "quoted" [tag] {x}', 'back\\slash\\', ']},{"', '中文', '😀', 'é😀']);
        await expectSameAtEveryChunkSize(path, expected);
      });
    });

    it('reads UTF-8 with a byte order mark and UTF-16 LE/BE (PowerShell) the same, wherever a chunk ends', async () => {
      const be = Buffer.from(TRICKY, 'utf16le').swap16();
      for (const [name, bytes] of [
        ['utf8-bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TRICKY)])],
        ['utf16le.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TRICKY, 'utf16le')])],
        ['utf16be.json', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ] as const) {
        await withFile(name, bytes, async (path) => {
          const expected = await inMemory(path);
          expect(expected, name).to.have.property('shape', 'list');
          for (const chunkSize of [1, 2, 3, 5, 7, 64, 4096]) expect(await streamed(path, chunkSize), `${name}, chunk size ${chunkSize}`).to.deep.equal(expected);
        });
      }
    });

    it('keeps the next-page link written after the records, so paging is checked', async () => {
      await withFile('machines.json', TRICKY, async (_path, dir) => {
        const snapshot = await loadSnapshot(dir, { streamThreshold: 0 });
        expect(snapshot.files[0]).to.deep.equal({
          file: 'machines.json',
          kinds: ['mde.machines'],
          records: 2,
          present: 2,
          nextLink: 'https://api.security.microsoft.com/api/machines?$skiptoken=%22x%22',
        });
        expect(brief(snapshot.diagnostics)).to.deep.equal(['error incomplete-paging machines.json']);
      });
    });
  });

  describe('repeated keys', () => {
    /** A next link hidden by a later null, a field given twice, a repeat in a nested object and under an escaped key. */
    const REPEATS = `{
  "@odata.context": "https://api.security.microsoft.com/api/$metadata#Machines",
  "@odata.nextLink": "https://api.security.microsoft.com/api/machines?$skip=2",
  "value": [
    {"id": "1f2e3d4c5b6a79880f1e2d3c4b5a69788f7e6d5c", "computerDnsName": "café-01", "healthStatus": "Active", "osPlatform": "Windows11", "healthStatus": "Inactive"},
    {"id": "2f2e3d4c5b6a79880f1e2d3c4b5a69788f7e6d5c", "computerDnsName": "中文-02", "osPlatform": "Linux", "vmMetadata": {"vmId": "a", "a/b": 1, "a/b": 2, "vmId": "b"}}
  ],
  "@odata.nextLink": null
}`;

    it('finds the same repeats at the same line:column in memory and streamed, wherever a chunk ends', async () => {
      await withFile('repeats.json', REPEATS, async (path) => {
        const read = await readInMemory(path, 'export.json');
        const duplicates = read.ok ? read.duplicates : [];
        expect(duplicates).to.deep.equal([
          { pointer: '/value/0/healthStatus', position: { line: 5, column: 139 } },
          { pointer: '/value/1/vmMetadata/a~1b', position: { line: 6, column: 145 } },
          { pointer: '/value/1/vmMetadata/vmId', position: { line: 6, column: 155 } },
          { pointer: '/@odata.nextLink', position: { line: 8, column: 3 } },
        ]);
        const size = statSync(path).size;
        for (let chunkSize = 1; chunkSize <= size; chunkSize += chunkSize < 64 ? 1 : 37) {
          const streamedRead = await streamExport(path, 'export.json', { format: 'json', chunkSize });
          expect(streamedRead.ok && streamedRead.duplicates, `chunk size ${chunkSize}`).to.deep.equal(duplicates);
        }
      });
    });

    it('counts keys right around the cheap check: values that start with a colon, escaped quotes, keys spaced from their colon', async () => {
      const cases: [string, string[]][] = [
        ['{"value": [{"id": "a", "lastIpAddress": "::1", "note": "say \\": hi", "path": "C:\\\\"}]}', []],
        ['{"value": [{"id": "a", "lastIpAddress": "::1", "id": "b"}]}', ['/value/0/id']],
        ['{"value" : [{"id" : "a", "name": "x", "id" : "b"}]}', ['/value/0/id']],
        ['{"value": [{"id": "a", "tag": "\\\\", "tag": "x"}]}', ['/value/0/tag']],
      ];
      for (const [text, pointers] of cases) {
        await withFile('export.json', text, async (path) => {
          const memory = await readInMemory(path, 'export.json');
          expect(memory.ok && memory.duplicates.map((d) => d.pointer), text).to.deep.equal(pointers);
          const streamedRead = await streamExport(path, 'export.json', { format: 'json', chunkSize: 7 });
          expect(streamedRead.ok && streamedRead.duplicates, text).to.deep.equal(memory.ok && memory.duplicates);
        });
      }
    });

    it('finds a field repeated on an NDJSON line', async () => {
      const line = '{"id": "1f2e3d4c5b6a79880f1e2d3c4b5a69788f7e6d5c", "computerDnsName": "a", "osPlatform": "Linux", "osPlatform": "Windows11"}';
      await withFile('machines.ndjson', `${line}\n\n${line}\n`, async (path) => {
        const read = await streamExport(path, 'machines.ndjson', { format: 'ndjson' });
        expect(read.ok && read.duplicates).to.deep.equal([
          { pointer: '/0/osPlatform', position: { line: 1, column: 99 } },
          { pointer: '/2/osPlatform', position: { line: 3, column: 99 } },
        ]);
      });
    });
  });

  describe('syntax errors', () => {
    const broken: [string, string][] = [
      ['truncated inside a record', '{"value": [{"id": "a"}, {"id": "b", "na'],
      ['truncated inside a string after an escape', '{"value": [{"id": "a\\\\'],
      ['truncated after the records', '{"value": [{"id": "a"}]'],
      ['missing comma between records', '[{"id": "a"} {"id": "b"}]'],
      ['trailing comma after the last record', '{"value": [{"id": "a"},]}'],
      ['literal glued to junk in the envelope', '{"count": truex, "data": []}'],
      ['misspelt literal in the envelope', '{"resultTruncated": tru, "data": []}'],
      ['number with a leading zero in the envelope', '{"totalRecords": 01, "data": []}'],
      ['raw tab inside a string', '[{"id": "a\tb"}]'],
      ['invalid escape in a key', '{"val\\xue": []}'],
      ['key without a colon', '{"value" [1]}'],
      ['mismatched bracket in a record', '[{"a": [1}]'],
      ['unexpected brace in the records array', '[1}'],
      ['NaN', '[NaN]'],
      ['second document', '[] []'],
      ['no-break space between members', '{"value": [{"id": "é"}]\u00a0}'],
      ['error after multi-byte characters on its line', '{\n  "value": [\n    {"name": "é中😀", "x": 1 "y": 2}\n  ]\n}'],
      ['only whitespace', '  \n\t\n'],
    ];
    for (const [what, text] of broken) {
      it(`reports ${what} as in memory, wherever a chunk ends`, async () => {
        await withFile('broken.json', text, async (path) => {
          const expected = await inMemory(path);
          expect(expected).to.have.property('severity', 'error');
          await expectSameAtEveryChunkSize(path, expected);
        });
      });
    }

    it('names the line and column a user sees (columns in UTF-16 units as editors count them, not bytes)', async () => {
      await withFile('broken.json', broken[16][1], async (path) => {
        expect(await streamed(path, 4)).to.deep.equal({
          severity: 'error',
          code: 'json-syntax',
          message: "invalid JSON: expected ',' or '}' after property value",
          file: 'export.json',
          // é 中 😀 are 9 bytes but 4 units: the byte column would be 34.
          position: { line: 3, column: 29 },
        });
      });
    });

    it('fails closed: records before the error do not load', async () => {
      const page = `{"value": [${JSON.stringify(machineRecord(0))},\n${JSON.stringify(machineRecord(1))},\n{"id": "x",`;
      await withFile('machines.json', page, async (_path, dir) => {
        const snapshot = await loadSnapshot(dir, { streamThreshold: 0 });
        expect(brief(snapshot.diagnostics)).to.deep.equal(['error json-syntax machines.json 3:12']);
        expect(snapshot.files[0].records).to.equal(0);
        expect(snapshot.collections.has('mde.machines')).to.equal(false);
      });
    });

    it('reports bytes that are not UTF-8 even after a syntax error, as in memory', async () => {
      const bytes = Buffer.concat([Buffer.from('{"value": [1 2], "x": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      await withFile('latin1.json', bytes, async (path) => {
        const expected = await inMemory(path);
        expect(expected).to.have.property('code', 'encoding');
        await expectSameAtEveryChunkSize(path, expected);
      });
    });
  });

  describe('NDJSON / JSON Lines', () => {
    const lines = [0, 1, 2].map((i) => JSON.stringify(machineRecord(i)));

    it('loads one record per line (CRLF, blank lines skipped), pointing at the line', async () => {
      const text = `${lines[0]}\r\n\r\n${lines[1]}\r\n${lines[2]}`;
      await withFile('machines.ndjson', text, async (_path, dir) => {
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.diagnostics).to.deep.equal([]);
        expect(snapshot.files).to.deep.equal([{ file: 'machines.ndjson', kinds: ['mde.machines'], records: 3, present: 3 }]);
        const machines = snapshot.collections.get('mde.machines')?.records ?? [];
        expect(machines.map((r) => r.origin)).to.deep.equal(['/0', '/2', '/3'].map((pointer) => ({ file: 'machines.ndjson', pointer })));
        expect(machines.map((r) => r.data.computerDnsName)).to.deep.equal([0, 1, 2].map((i) => machineRecord(i).computerDnsName));
      });
    });

    it('cuts lines the same wherever a chunk ends', async () => {
      const text = `${lines[0]}\n\n  \n["中", "😀", "\\"]\\n"]\r\n{"a": "é"}\n`;
      await withFile('small.jsonl', text, async (path) => {
        const expected = await streamed(path, 1 << 20, 'ndjson');
        expect((expected as { records: unknown[] }).records).to.have.length(3);
        await expectSameAtEveryChunkSize(path, expected, 'ndjson');
      });
    });

    it('reports a bad line at its line:column and loads none of the file', async () => {
      const text = `${lines[0]}\n${lines[1]}\n{"id": "x", "computerDnsName": "é" "osPlatform": "Linux"}\n${lines[2]}\n`;
      await withFile('machines.jsonl', text, async (_path, dir) => {
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.diagnostics).to.deep.equal([
          { severity: 'error', code: 'json-syntax', message: "invalid JSON: expected ',' or '}' after property value", file: 'machines.jsonl', position: { line: 3, column: 36 } },
        ]);
        expect(snapshot.files[0].records).to.equal(0);
      });
    });

    it('points an invalid record at its line', async () => {
      const bad = JSON.stringify({ ...machineRecord(1), vmMetadata: 'none' });
      await withFile('machines.ndjson', `${lines[0]}\n${bad}\n`, async (_path, dir) => {
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.diagnostics).to.have.length(1);
        expect(snapshot.diagnostics[0]).to.include({ code: 'invalid-record', pointer: '/1/vmMetadata' });
        expect(snapshot.diagnostics[0].position).to.deep.equal({ line: 2, column: bad.indexOf('"none"') + 1 });
      });
    });

    it('takes an empty file for an export with no records', async () => {
      await withFile('machines.ndjson', '', async (_path, dir) => {
        expect(brief((await loadSnapshot(dir)).diagnostics)).to.deep.equal(['warning empty-export machines.ndjson']);
      });
    });
  });

  describe('large files', () => {
    it('streams a 50k-device export to the same records as the in-memory path', async function () {
      this.timeout(120_000);
      const { dir, cleanup } = scratch();
      try {
        const nextLink = 'https://api.security.microsoft.com/api/machines?$skip=50000';
        writeMachinesFile(join(dir, 'machines.json'), 50_000, { nextLink });
        const stream = await loadSnapshot(dir, { streamThreshold: 0 });
        expect(stream.collections.get('mde.machines')?.records).to.have.length(50_000);
        expect(stream.collections.get('mde.machines')?.records[49_999].origin.pointer).to.equal('/value/49999');
        expect(stream.files).to.deep.equal([{ file: 'machines.json', kinds: ['mde.machines'], records: 50_000, present: 50_000, nextLink }]);
        expect(brief(stream.diagnostics)).to.deep.equal(['error incomplete-paging machines.json']);
        const memory = await loadSnapshot(dir);
        expect(isDeepStrictEqual(stream, memory)).to.equal(true);
      } finally {
        cleanup();
      }
    });
  });
});
