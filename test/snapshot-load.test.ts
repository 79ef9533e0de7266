import { expect } from 'chai';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshot } from '../src/snapshot/load';
import { readAhead, READ_AHEAD_BYTES, READ_AHEAD_FILES } from '../src/snapshot/read-ahead';
import { duplicateKeys, scanJson } from '../src/snapshot/json-scan';
import { EXPORT_KINDS } from '../src/snapshot/kinds';
import { brief, copyInto, FIXTURES, loadCase, scratch, SNAPSHOTS } from './snapshot-helpers';

describe('snapshot loader', () => {
  describe('paging', () => {
    it('merges an export split over two files, whatever their names and folders', async () => {
      const snapshot = await loadCase('paging');
      expect(snapshot.diagnostics).to.deep.equal([]);
      const machines = snapshot.collections.get('mde.machines');
      expect(machines?.files).to.deep.equal(['exports/2026-11-27/defender-devices-p1.json', 'exports/2026-11-27/defender-devices-p2.json']);
      expect(machines?.records.map((r) => `${r.data.computerDnsName} ${r.origin.pointer}`)).to.deep.equal([
        'web-01.contoso.com /value/0',
        'web-02.contoso.com /value/1',
        'db-01.contoso.com /value/0',
      ]);
      expect(snapshot.files.map((f) => f.nextLink)).to.deep.equal(['https://api.securitycenter.microsoft.com/api/machines?$skip=2', undefined]);
    });

    it('gives library users records that serialise with where they came from', async () => {
      const snapshot = await loadCase('paging');
      const [first] = snapshot.collections.get('mde.machines')?.records ?? [];
      const written = JSON.parse(JSON.stringify(first)) as Record<string, unknown>;
      expect(Object.keys(written)).to.deep.equal(['collection', 'data', 'origin']);
      expect(written.origin).to.deep.equal({ file: 'exports/2026-11-27/defender-devices-p1.json', pointer: '/value/0' });
      expect((written.data as Record<string, unknown>).computerDnsName).to.equal('web-01.contoso.com');
    });

    it('lets library users move records, as they could move plain ones (snapshots merged under one folder)', async () => {
      const snapshot = await loadCase('paging');
      const records = snapshot.collections.get('mde.machines')?.records ?? [];
      for (const r of records) r.origin = { file: `tenant-a/${r.origin.file}`, pointer: r.origin.pointer };
      expect(records.map((r) => `${r.origin.file}#${r.origin.pointer}`)).to.deep.equal([
        'tenant-a/exports/2026-11-27/defender-devices-p1.json#/value/0',
        'tenant-a/exports/2026-11-27/defender-devices-p1.json#/value/1',
        'tenant-a/exports/2026-11-27/defender-devices-p2.json#/value/0',
      ]);
      expect((JSON.parse(JSON.stringify(records[2])) as { origin: unknown }).origin).to.deep.equal({ file: 'tenant-a/exports/2026-11-27/defender-devices-p2.json', pointer: '/value/0' });
    });

    it('gives copies of loaded records their origin, as copies of plain records had it', async () => {
      const snapshot = await loadCase('paging');
      const records = snapshot.collections.get('mde.machines')?.records ?? [];
      const want = { file: 'exports/2026-11-27/defender-devices-p2.json', pointer: '/value/0' };
      expect({ ...records[2] }.origin).to.deep.equal(want);
      expect(Object.assign({}, records[2]).origin).to.deep.equal(want);
      expect(structuredClone(records[2]).origin).to.deep.equal(want);
    });

    it('reports a missing last page, naming the files', async () => {
      const snapshot = await loadCase('paging-missing-last');
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error incomplete-paging rbac/page-1.json']);
      expect(snapshot.diagnostics[0].message).to.contain('arm.roleAssignments').and.contain('rbac/page-1.json, rbac/page-2.json');
      // The pages that are there still load.
      expect(snapshot.collections.get('arm.roleAssignments')?.records).to.have.length(2);
    });

    it('does not take the REST example\'s "nextLink": "..." for a link', async () => {
      const snapshot = await loadSnapshot(join(FIXTURES, 'real-examples/arm'));
      const subscriptions = snapshot.files.find((f) => f.file === 'subscriptions.list.rest-2022-12-01.example.json');
      expect(subscriptions?.nextLink).to.equal(undefined);
      // The docs examples come from other subscriptions than the subscription list's: the only word is that.
      expect(brief(snapshot.diagnostics)).to.deep.equal(['warning export-subscriptions-missing role-assignment.create.az-cli-output.docs-example.json']);
      expect(snapshot.diagnostics[0].message).to.contain('arm.roleAssignments covers 0 of the 2 subscriptions');
    });

    it('pages Resource Graph by skip token and feeds its VM rows to arm.virtualMachines', async () => {
      const snapshot = await loadCase('resource-graph');
      expect(snapshot.diagnostics).to.deep.equal([]);
      expect(snapshot.files.map((f) => [f.file, f.kinds, f.records, f.nextLink])).to.deep.equal([
        ['arg/resources-1.json', ['arm.resourceGraph', 'arm.virtualMachines'], 2, 'ew0KICAiJGlkIjogIjEiLA0KICAiTWF4Um93cyI6IDIsDQp9'],
        ['arg/resources-2.json', ['arm.resourceGraph', 'arm.virtualMachines'], 1, undefined],
      ]);
      expect(snapshot.collections.get('arm.resourceGraph')?.records).to.have.length(3);
      expect(snapshot.collections.get('arm.virtualMachines')?.records.map((r) => r.origin)).to.deep.equal([
        { file: 'arg/resources-1.json', pointer: '/data/0' },
        { file: 'arg/resources-2.json', pointer: '/data/0' },
      ]);
    });

    it('reports a Resource Graph result that says it was truncated', async () => {
      expect(brief((await loadCase('resource-graph-truncated')).diagnostics)).to.deep.equal(['error truncated-result arg.json']);
    });
  });

  describe('parsing', () => {
    it('reports invalid JSON with line:column, and still loads the good file beside it', async () => {
      const snapshot = await loadCase('invalid-json');
      expect(snapshot.diagnostics.map((d) => `${d.code} ${d.file} ${d.position?.line}:${d.position?.column} ${d.message}`)).to.deep.equal([
        "json-syntax ellipsis.json 3:3 invalid JSON: unexpected character '.': expected a value",
        'empty-file empty.json undefined:undefined file is empty',
        "json-syntax missing-comma.json 5:7 invalid JSON: expected ',' or '}' after property value",
        "json-syntax trailing-comma.json 3:31 invalid JSON: expected property name in double quotes, found '}'",
        'json-syntax truncated.json 5:32 invalid JSON: unexpected end of file',
      ]);
      expect(snapshot.diagnostics.every((d) => d.severity === 'error')).to.equal(true);
      expect(snapshot.collections.get('mde.machines')?.records).to.have.length(1);
    });

    it('locates syntax errors the way a user reads the file', () => {
      const at = (text: string) => scanJson(text).error;
      expect(at('[1, 2')).to.deep.equal({ offset: 5, message: 'unexpected end of file' });
      expect(at('[1 2]')).to.deep.equal({ offset: 3, message: "expected ',' or ']' after array element" });
      expect(at('{"a" 1}')).to.deep.equal({ offset: 5, message: "expected ':' after property name" });
      expect(at('{"a": tru}')?.message).to.equal("invalid literal: expected 'true'");
      expect(at('{"a": 01}')).to.deep.equal({ offset: 6, message: 'invalid number' });
      expect(at('{"a": "x\ny"}')?.offset).to.equal(8);
      expect(at('{"a": "abc')).to.deep.equal({ offset: 6, message: 'unterminated string: unexpected end of file' });
      expect(at('{} {}')).to.deep.equal({ offset: 3, message: 'unexpected content after the JSON value' });
      expect(at('{"a": [1, {"b": null}], "c": "\\u00e9"}')).to.equal(undefined);
    });

    it('finds a repeated key however the text is spaced or escaped, at the repeat', () => {
      const repeats = (text: string) => duplicateKeys(text, JSON.parse(text));
      // A key spaced from its colon, as some writers indent: its repeat is not.
      const spaced = '{"value": [{"avMode"\n\t: "Passive", "avMode": "Active"}]}';
      expect(repeats(spaced)).to.deep.equal([{ pointer: '/value/0/avMode', offset: spaced.lastIndexOf('"avMode"') }]);
      // Strings that start with a colon, or hold escaped quotes before a colon, count as no key.
      const tricky = '{"a": ":x", "b": " :", "c": "say \\": no\\"", "d\\\\": 1, "e": [":"], "a": 2}';
      expect(repeats(tricky)).to.deep.equal([{ pointer: '/a', offset: tricky.lastIndexOf('"a"') }]);
      expect(repeats('{"a": ":x", "b": " :", "c": "say \\": no\\"", "d\\\\": 1, "e": [":"]}')).to.deep.equal([]);
      // Minified, nested, and the repeat in an inner object only.
      expect(repeats('{"x":{"y":{"z":1,"z":2}},"y":[{"z":1},{"z":2}]}')).to.deep.equal([{ pointer: '/x/y/z', offset: 17 }]);
      expect(repeats('{"x":{"y":{"z":1}},"y":[{"z":1},{"z":2}]}')).to.deep.equal([]);
    });

    it('loads UTF-8 with a BOM and UTF-16 (LE and BE) with a BOM', async () => {
      const snapshot = await loadCase('encodings');
      expect(snapshot.diagnostics).to.deep.equal([]);
      expect(snapshot.files.map((f) => [f.file, f.kinds, f.records])).to.deep.equal([
        ['powershell-utf16le.json', ['mde.avHealth'], 1],
        ['utf16be.json', ['mde.avHealth'], 1],
        ['utf8-bom.json', ['mde.avHealth'], 1],
      ]);
      expect(snapshot.collections.get('mde.avHealth')?.records.map((r) => r.data.avMode)).to.deep.equal(['Passive', 'Passive', 'Passive']);
    });

    it('rejects bytes that are not UTF-8', async () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'latin1.json'), Buffer.from('{"value": [{"name": "caf\xe9"}]}', 'latin1'));
        expect(brief((await loadSnapshot(dir)).diagnostics)).to.deep.equal(['error encoding latin1.json']);
      } finally {
        cleanup();
      }
    });
  });

  describe('recognition', () => {
    it('reports a JSON file that is no known export, naming its ARM type and how to map or ignore it, not every kind', async () => {
      const snapshot = await loadCase('unknown');
      expect(brief(snapshot.diagnostics)).to.deep.equal(['warning empty-export empty-list.json', 'error unknown-export storage/storage-accounts.json']);
      const unknown = snapshot.diagnostics[1];
      expect(unknown.message).to.match(/ARM type microsoft\.storage\/storageaccounts is not one posture-lint reads/i);
      expect(unknown.message).to.include('ignore: in snapshot.yaml or posture-lint.yaml');
      expect(EXPORT_KINDS.filter((k) => unknown.message.includes(k.id)).length).to.be.at.most(3);
      // An empty export whose @odata.context names its kind is a real, empty collection.
      expect(snapshot.collections.get('mde.machines')).to.deep.equal({ name: 'mde.machines', records: [], files: ['empty-machines.json'], repeats: [] });
    });

    it('excludes a record that fails its schema, pointing at the field with line:column', async () => {
      const snapshot = await loadCase('invalid-record');
      expect(snapshot.diagnostics).to.deep.equal([
        {
          severity: 'error',
          code: 'invalid-record',
          message: 'mde.machines record: must be object or null',
          file: 'machines.json',
          pointer: '/value/1/vmMetadata',
          position: { line: 54, column: 21 },
        },
      ]);
      expect(snapshot.collections.get('mde.machines')?.records.map((r) => r.data.computerDnsName)).to.deep.equal(['good-01.contoso.com']);
      expect(snapshot.files[0].records).to.equal(1);
    });

    it('reports records that could be several kinds instead of guessing', async () => {
      const snapshot = await loadCase('ambiguous');
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error ambiguous-export xdr/role-assignments.json']);
      expect(snapshot.diagnostics[0].message).to.contain('graph.providerRoleAssignments, xdr.roleAssignments');
      // Only the snapshot's description of itself: no export collection was guessed.
      expect([...snapshot.collections.keys()]).to.deep.equal(['snapshot.exports', 'snapshot.facts']);
    });

    it('recognises records by their fields when no @odata.context is kept (e.g. the value array alone)', async () => {
      const { dir, cleanup } = scratch();
      try {
        const page = readFileSync(join(SNAPSHOTS, 'paging/exports/2026-11-27/defender-devices-p1.json'), 'utf8');
        const machines = JSON.parse(page) as { value: unknown[] };
        writeFileSync(join(dir, 'devices.json'), JSON.stringify(machines.value));
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.diagnostics).to.deep.equal([]);
        expect(snapshot.files[0].kinds).to.deep.equal(['mde.machines']);
        expect(snapshot.collections.get('mde.machines')?.records.map((r) => r.origin.pointer)).to.deep.equal(['/0', '/1']);
      } finally {
        cleanup();
      }
    });
  });

  describe('files', () => {
    it('does not follow symbolic links, to files or folders', async () => {
      const { dir, cleanup } = scratch();
      try {
        copyInto(dir, join(SNAPSHOTS, 'paging'), 'snapshot');
        copyInto(dir, join(SNAPSHOTS, 'invalid-record'), 'outside');
        const root = join(dir, 'snapshot');
        symlinkSync(join(dir, 'outside', 'machines.json'), join(root, 'linked-file.json'));
        symlinkSync(join(dir, 'outside'), join(root, 'linked-folder'), 'dir');
        const snapshot = await loadSnapshot(root);
        expect(snapshot.files.map((f) => f.file)).to.deep.equal([
          'exports/2026-11-27/defender-devices-p1.json',
          'exports/2026-11-27/defender-devices-p2.json',
        ]);
        expect(snapshot.diagnostics).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });

    it('ignores a directory named x.json but reads the exports inside it', async () => {
      const snapshot = await loadCase('dir-named-json');
      expect(snapshot.diagnostics).to.deep.equal([]);
      expect(snapshot.files.map((f) => f.file)).to.deep.equal(['x.json/machines.json']);
    });

    it('ignores dot files and non-JSON files', async () => {
      const { dir, cleanup } = scratch();
      try {
        mkdirSync(join(dir, '.cache'));
        writeFileSync(join(dir, '.cache', 'broken.json'), '{');
        writeFileSync(join(dir, '.hidden.json'), '{');
        writeFileSync(join(dir, 'notes.txt'), 'not json');
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.files).to.deep.equal([]);
        expect(snapshot.diagnostics).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });

    it('reads exports whatever the case of their extension (Windows keeps Subs.JSON as typed)', async () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'My Subs (1).JSON'), readFileSync(join(SNAPSHOTS, 'subscriptions-az', 'az-account-list.json')));
        const page = JSON.parse(readFileSync(join(SNAPSHOTS, 'paging', 'exports', '2026-11-27', 'defender-devices-p2.json'), 'utf8')) as { value: unknown[] };
        writeFileSync(join(dir, 'machines.JSONL'), page.value.map((m) => `${JSON.stringify(m)}\n`).join(''));
        const snapshot = await loadSnapshot(dir);
        expect(snapshot.diagnostics).to.deep.equal([]);
        expect(snapshot.files.map((f) => [f.file, f.kinds, f.records])).to.deep.equal([
          ['My Subs (1).JSON', ['arm.subscriptions'], 1],
          ['machines.JSONL', ['mde.machines'], 1],
        ]);
        expect(snapshot.collections.get('mde.machines')?.records[0].origin).to.deep.equal({ file: 'machines.JSONL', pointer: '/0' });
      } finally {
        cleanup();
      }
    });

    it('reports a snapshot folder that does not exist instead of throwing', async () => {
      const snapshot = await loadSnapshot(join(SNAPSHOTS, 'no-such-snapshot'));
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error snapshot-missing -']);
      expect(snapshot.collections.size).to.equal(0);
    });
  });
});

describe('reading export files ahead', () => {
  const MB = 1024 * 1024;
  /** The files whose reads have started, in the order they were started. */
  function reads(sizes: number[]): { take: (i: number) => Promise<string>; started: string[] } {
    const started: string[] = [];
    const files = sizes.map((size, i) => ({ file: `f${i}.json`, size }));
    const take = readAhead(files, (f) => f.size, async (f) => {
      started.push(f.file);
      return f.file;
    });
    return { take, started };
  }

  it('reads the next two files while one is loaded, and gives each its own read, in order', async () => {
    const { take, started } = reads([MB, MB, MB, MB, MB]);
    expect(await take(0)).to.equal('f0.json');
    expect(started).to.deep.equal(['f0.json', 'f1.json', 'f2.json']);
    expect(await take(1)).to.equal('f1.json');
    expect(started).to.deep.equal(['f0.json', 'f1.json', 'f2.json', 'f3.json']);
    expect(await Promise.all([2, 3, 4].map(take))).to.deep.equal(['f2.json', 'f3.json', 'f4.json']);
    expect(started).to.have.length(5);
  });

  it('holds no more than 64 MiB read ahead, so a 7 GB agent keeps its margin, but always reads the file being loaded', async () => {
    const { take, started } = reads([10 * MB, 40 * MB, 30 * MB, 100 * MB, MB]);
    await take(0);
    // 40 + 30 MB would be over the budget: only the next file is read ahead.
    expect(started).to.deep.equal(['f0.json', 'f1.json']);
    await take(1);
    expect(started).to.deep.equal(['f0.json', 'f1.json', 'f2.json']);
    await take(2);
    // A file over the budget is not read ahead, only when its turn comes, and then the next with it.
    expect(started).to.deep.equal(['f0.json', 'f1.json', 'f2.json']);
    await take(3);
    expect(started).to.deep.equal(['f0.json', 'f1.json', 'f2.json', 'f3.json', 'f4.json']);
    expect(READ_AHEAD_BYTES).to.equal(64 * MB);
    expect(READ_AHEAD_FILES).to.equal(2);
  });
});
