import { expect } from 'chai';
import { cpSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshot } from '../src/snapshot/load';
import { lint } from '../src/lint';
import { machineRecord } from '../scripts/machines-file';
import { brief, copyInto, loadCase, scratch, SNAPSHOTS } from './snapshot-helpers';

const RULES = join(__dirname, '..', 'rules');
const TENANT = '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const OTHER = 'a839b112-1253-6432-9bf6-94542403f21c';

/** Loads the `paging` snapshot with the given manifest text. */
async function withManifest(yaml: string) {
  const { dir, cleanup } = scratch();
  try {
    copyInto(dir, join(SNAPSHOTS, 'paging'), 'snap');
    writeFileSync(join(dir, 'snap', 'snapshot.yaml'), yaml);
    return await loadSnapshot(join(dir, 'snap'));
  } finally {
    cleanup();
  }
}

describe('snapshot manifest', () => {
  it('reports each listed export that is missing at its line in the manifest', async () => {
    const snapshot = await loadCase('manifest-missing-export');
    expect(brief(snapshot.diagnostics)).to.deep.equal(['error export-missing snapshot.yaml 7:13', 'error export-missing snapshot.yaml 8:5']);
    expect(snapshot.diagnostics[0].message).to.equal(
      "mde.machines: no file matches 'mde/machines-*.json'; export it with: " +
        "az rest --method get --url 'https://api.securitycenter.microsoft.com/api/machines' --resource https://api.securitycenter.microsoft.com --output json",
    );
    expect(snapshot.diagnostics[1].message).to.match(/^mde\.avHealth is listed but no file of that kind was found; export it with: az rest .*deviceavinfo/);
  });

  it('names a manifest saved under another name (snapshot.yml, Snapshot.YAML) as an error instead of skipping its promises', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'paging'), 'snap');
      // Promises a kind the folder lacks: read, this manifest would fail the run.
      writeFileSync(join(dir, 'snap', 'snapshot.yml'), 'takenAt: 2026-11-27T02:00:00Z\nexports:\n  - kind: mde.avHealth\n');
      writeFileSync(join(dir, 'snap', 'Snapshot.YAML.txt'), 'takenAt: 2026-11-27T02:00:00Z\n');
      const snapshot = await loadSnapshot(join(dir, 'snap'));
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error manifest-misnamed Snapshot.YAML.txt', 'error manifest-misnamed snapshot.yml']);
      expect(snapshot.diagnostics[1].message).to.equal(
        'snapshot.yml looks like the snapshot manifest, but only snapshot.yaml is read: rename it to snapshot.yaml, or name it with --manifest',
      );
      const named = await loadSnapshot(join(dir, 'snap'), { manifest: join(dir, 'snap', 'snapshot.yml') });
      expect(brief(named.diagnostics)).to.deep.equal(['error export-missing snapshot.yml 3:5']);
    } finally {
      cleanup();
    }
  });

  it('names a snapshot.yml beside snapshot.yaml as an error: an empty snapshot.yaml must not leave its promises unchecked', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'paging'), 'snap');
      const snap = join(dir, 'snap');
      writeFileSync(join(snap, 'snapshot.yaml'), '');
      writeFileSync(join(snap, 'snapshot.yml'), 'takenAt: 2026-11-27T02:00:00Z\nexports:\n  - kind: mde.avHealth\n');
      // A folder named like the manifest holds no promises (its exports are read as any others).
      mkdirSync(join(snap, 'snapshots.yaml'));
      expect(brief((await loadSnapshot(snap)).diagnostics)).to.deep.equal(['error manifest-misnamed snapshot.yml']);
      expect((await loadSnapshot(snap)).diagnostics[0].message).to.equal(
        'snapshot.yml looks like a second snapshot manifest, beside snapshot.yaml: only snapshot.yaml is read, so keep the promises there and remove snapshot.yml',
      );
      // The same file under another name, as a case-insensitive file system shows Snapshot.yaml, is the manifest read.
      rmSync(join(snap, 'snapshot.yml'));
      writeFileSync(join(snap, 'snapshot.yaml'), 'takenAt: 2026-11-27T02:00:00Z\n');
      linkSync(join(snap, 'snapshot.yaml'), join(snap, 'Snapshot.yaml'));
      expect(brief((await loadSnapshot(snap)).diagnostics)).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });

  it('names the manifest of a snapshot folder below the one given as an error: linting exports/ for exports/2026-11-27 must not leave its promises unchecked', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'paging'), join('exports', '2026-11-27'));
      // Promises a kind the snapshot lacks: read from its own folder, this manifest fails the run.
      writeFileSync(join(dir, 'exports', '2026-11-27', 'snapshot.yaml'), 'takenAt: 2026-11-27T02:00:00Z\nexports:\n  - kind: mde.avHealth\n');
      const parent = await loadSnapshot(join(dir, 'exports'));
      expect(brief(parent.diagnostics)).to.deep.equal(['error manifest-nested 2026-11-27/snapshot.yaml']);
      expect(parent.diagnostics[0].message).to.equal(
        '2026-11-27/snapshot.yaml looks like the manifest of a snapshot in 2026-11-27, below the folder given: a manifest is read only at the root of the folder linted, so lint 2026-11-27 on its own (one folder per snapshot), or its promises go unchecked',
      );
      expect(brief((await loadSnapshot(join(dir, 'exports', '2026-11-27'))).diagnostics)).to.deep.equal(['error export-missing snapshot.yaml 3:5']);
      // A manifest of its own (even an empty one) at the root does not make the nested one read.
      writeFileSync(join(dir, 'exports', 'snapshot.yaml'), '');
      expect(brief((await loadSnapshot(join(dir, 'exports'))).diagnostics)).to.deep.equal(['error manifest-nested 2026-11-27/snapshot.yaml']);
      // Nor does a nested manifest escape as a link, a folder or a near-miss name: linting its folder would say what is wrong.
      rmSync(join(dir, 'exports', 'snapshot.yaml'));
      cpSync(join(dir, 'exports', '2026-11-27'), join(dir, 'exports', 'b'), { recursive: true });
      cpSync(join(dir, 'exports', '2026-11-27'), join(dir, 'exports', 'c'), { recursive: true });
      rmSync(join(dir, 'exports', 'b', 'snapshot.yaml'));
      symlinkSync(join(dir, 'exports', '2026-11-27', 'snapshot.yaml'), join(dir, 'exports', 'b', 'snapshot.yaml'));
      rmSync(join(dir, 'exports', 'c', 'snapshot.yaml'));
      mkdirSync(join(dir, 'exports', 'c', 'snapshot.yml'));
      renameSync(join(dir, 'exports', '2026-11-27', 'snapshot.yaml'), join(dir, 'exports', '2026-11-27', 'Snapshot.yaml.txt'));
      expect(brief((await loadSnapshot(join(dir, 'exports'))).diagnostics)).to.deep.equal([
        'error manifest-nested 2026-11-27/Snapshot.yaml.txt',
        'error manifest-nested b/snapshot.yaml',
        'error manifest-nested c/snapshot.yml',
      ]);
      // --manifest names the manifest read, wherever it lies; the other manifests below are still stray.
      const named = await loadSnapshot(join(dir, 'exports'), { manifest: join(dir, 'exports', '2026-11-27', 'Snapshot.yaml.txt') });
      expect(brief(named.diagnostics).filter((d) => d.includes('manifest-nested'))).to.deep.equal(['error manifest-nested b/snapshot.yaml', 'error manifest-nested c/snapshot.yml']);
      // Named through a link (b/snapshot.yaml, now to an existing manifest), the link and the file it names are the manifest read.
      rmSync(join(dir, 'exports', 'b', 'snapshot.yaml'));
      symlinkSync(join(dir, 'exports', '2026-11-27', 'Snapshot.yaml.txt'), join(dir, 'exports', 'b', 'snapshot.yaml'));
      const viaLink = await loadSnapshot(join(dir, 'exports'), { manifest: join(dir, 'exports', 'b', 'snapshot.yaml') });
      expect(brief(viaLink.diagnostics).filter((d) => d.includes('manifest-nested'))).to.deep.equal(['error manifest-nested c/snapshot.yml']);
    } finally {
      cleanup();
    }
  });

  it("matches its files and ignore patterns whatever the case of a name, as the loader lists exports (Subs.JSON is 'subs.json')", async () => {
    const { dir, cleanup } = scratch();
    try {
      writeFileSync(join(dir, 'Subs.JSON'), readFileSync(join(SNAPSHOTS, 'subscriptions-az', 'az-account-list.json')));
      mkdirSync(join(dir, 'notes'));
      writeFileSync(join(dir, 'notes', 'Todo.JSON'), '{"todo": "ask for the MDE export"}');
      writeFileSync(join(dir, 'snapshot.yaml'), 'exports:\n  - kind: arm.subscriptions\n    files: [subs.json]\n    minRecords: 1\nignore:\n  - notes/*.json\n');
      const snapshot = await loadSnapshot(dir);
      expect(brief(snapshot.diagnostics)).to.deep.equal(['note file-ignored notes/Todo.JSON']);
      expect(snapshot.collections.get('arm.subscriptions')?.files).to.deep.equal(['Subs.JSON']);
    } finally {
      cleanup();
    }
  });

  it('reads files it maps as the kind it names, even when the content alone is ambiguous', async () => {
    const snapshot = await loadCase('manifest-mapping');
    expect(snapshot.diagnostics).to.deep.equal([]);
    expect(snapshot.collections.get('xdr.roleAssignments')?.records.map((r) => r.data.displayName)).to.deep.equal(['SecOps readers']);
  });

  it('reports an incomplete paged export at the manifest entry', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'paging-missing-last'), 'snap');
      writeFileSync(join(dir, 'snap', 'snapshot.yaml'), 'exports:\n  - kind: arm.subscriptions\n    files: [rbac/none.json]\n  - kind: arm.roleAssignments\n    files: ["rbac/page-*.json"]\n');
      const snapshot = await loadSnapshot(join(dir, 'snap'));
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error export-missing snapshot.yaml 3:13', 'error incomplete-paging snapshot.yaml 4:5']);
    } finally {
      cleanup();
    }
  });

  it('fails a listed export that holds no records, and the rules that read it give no verdict', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'unknown', 'empty-machines.json'), 'machines.json');
      writeFileSync(join(dir, 'snapshot.yaml'), 'exports:\n  - kind: mde.machines\n');
      const snapshot = await loadSnapshot(dir);
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error export-empty snapshot.yaml 2:5']);
      expect(snapshot.incomplete.get('mde.machines')).to.deep.equal([{ file: 'snapshot.yaml', code: 'export-empty' }]);
      const { report } = await lint({ snapshot: dir, ruleset: 'none', rules: [join(RULES, 'mde-device-healthy.yaml')], now: new Date('2026-11-27T00:00:00Z') });
      expect(report.rules.map((r) => `${r.status} ${r.missing?.join()}`)).to.deep.equal(['not-evaluated mde.machines is incomplete: snapshot.yaml (export-empty)']);
    } finally {
      cleanup();
    }
  });

  it('holds each page to the records the manifest says it had: an NDJSON export cut at a line end is an error', async () => {
    const { dir, cleanup } = scratch();
    try {
      const lines = [0, 1, 2].map((i) => JSON.stringify(machineRecord(i)));
      // Cut after the second line: every line left is whole, so only the declared count can tell.
      writeFileSync(join(dir, 'machines.ndjson'), `${lines[0]}\n${lines[1]}\n`);
      writeFileSync(join(dir, 'snapshot.yaml'), 'exports:\n  - kind: mde.machines\n    pages:\n      - { file: machines.ndjson, records: 3 }\n');
      const snapshot = await loadSnapshot(dir);
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error record-count snapshot.yaml 4:9']);
      expect(snapshot.diagnostics[0].message).to.equal('machines.ndjson holds 2 records, but the exporter wrote 3: the file was cut or changed; export it again');
      expect(snapshot.incomplete.get('mde.machines')).to.deep.equal([{ file: 'machines.ndjson', code: 'record-count' }]);
      // A listed page that is not there at all.
      writeFileSync(join(dir, 'snapshot.yaml'), 'exports:\n  - kind: mde.machines\n    pages:\n      - { file: machines.ndjson, records: 2 }\n      - { file: machines-2.ndjson, records: 1 }\n');
      const missing = await loadSnapshot(dir);
      expect(brief(missing.diagnostics)).to.deep.equal(['error export-missing snapshot.yaml 5:9']);
      expect(missing.diagnostics[0].message).to.match(/^mde\.machines: page machines-2\.ndjson \(1 record\) is missing; export it again with: az rest/);
    } finally {
      cleanup();
    }
  });

  it('takes an export whose pages declare 0 records for exported and empty', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'unknown', 'empty-machines.json'), 'machines.json');
      writeFileSync(join(dir, 'snapshot.yaml'), 'exports:\n  - kind: mde.machines\n    pages:\n      - { file: machines.json, records: 0 }\n');
      const snapshot = await loadSnapshot(dir);
      expect(snapshot.diagnostics).to.deep.equal([]);
      expect(snapshot.incomplete).to.deep.equal(new Map());
      expect(snapshot.collections.get('mde.machines')?.records).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });

  it('reports manifest problems with line:column', async () => {
    expect(brief((await withManifest('exports:\n  - kind: mde.machine\n')).diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 2:11']);
    const typo = await withManifest('tenantId: 4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f\nexport:\n  - kind: mde.machines\n');
    expect(brief(typo.diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 2:1']);
    expect(typo.diagnostics[0].message).to.equal("unknown property 'export' (did you mean 'exports'?)");
    const duplicate = await withManifest('facts:\n  xdrTenantId: 4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f\nfacts: {}\n');
    expect(brief(duplicate.diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 3:1']);
    const notGuid = await withManifest('facts:\n  xdrTenantId: contoso\n');
    expect(brief(notGuid.diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 2:16']);
    const escape = await withManifest('exports:\n  - kind: mde.machines\n    files: ["../other/*.json"]\n');
    expect(escape.diagnostics.map((d) => d.message)).to.deep.equal(["files pattern '../other/*.json' must stay inside the snapshot folder"]);
    // The exports themselves still load.
    expect(escape.collections.get('mde.machines')?.records).to.have.length(3);
  });

  it('names the kind a misspelt one means, leaves that entry out and keeps every other promise', async () => {
    const snapshot = await withManifest(
      ['takenAt: 2026-11-27T02:00:00Z', 'exports:', '  - kind: mde.machine', '  - kind: xdr.roleAssignments', '  - kind: mde.machines', '    minRecords: 10', ''].join('\n'),
    );
    expect(snapshot.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.position?.line}:${d.position?.column} ${d.message.split(';')[0]}`)).to.deep.equal([
      "error manifest-invalid snapshot.yaml:3:11 exports.0.kind: 'mde.machine' is not one of the 33 allowed values (did you mean 'mde.machines'?)",
      'error export-missing snapshot.yaml:4:5 xdr.roleAssignments is listed but no file of that kind was found',
      'error export-below-minimum snapshot.yaml:5:5 mde.machines: the export holds 3 records, fewer than the 10 the manifest requires (minRecords)',
    ]);
    expect(snapshot.takenAt).to.equal('2026-11-27T02:00:00Z');
  });

  it('puts a file that did not parse before the promise it breaks: causes before effects', async () => {
    const { dir, cleanup } = scratch();
    try {
      copyInto(dir, join(SNAPSHOTS, 'paging'), 'snap');
      // A name that sorts after snapshot.yaml, so file order alone would print the effect first.
      writeFileSync(join(dir, 'snap', 'zz-xdr-roles.json'), '{"value": [');
      writeFileSync(join(dir, 'snap', 'snapshot.yaml'), 'exports:\n  - kind: xdr.roleAssignments\n');
      const snapshot = await loadSnapshot(join(dir, 'snap'));
      expect(brief(snapshot.diagnostics)).to.deep.equal(['error json-syntax zz-xdr-roles.json 1:12', 'error export-missing snapshot.yaml 2:5']);
    } finally {
      cleanup();
    }
  });

  describe('encodings, as Windows writes them', () => {
    const TEXT = `takenAt: 2026-11-27T02:00:00Z\nfacts:\n  xdrTenantId: ${TENANT}\nexports:\n  - kind: mde.machines\n`;
    /** Loads the `paging` snapshot with the manifest as these bytes. */
    async function withBytes(bytes: Buffer) {
      const { dir, cleanup } = scratch();
      try {
        copyInto(dir, join(SNAPSHOTS, 'paging'), 'snap');
        writeFileSync(join(dir, 'snap', 'snapshot.yaml'), bytes);
        return await loadSnapshot(join(dir, 'snap'));
      } finally {
        cleanup();
      }
    }
    const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

    it('reads UTF-16 LE with a byte order mark (PowerShell Out-File), UTF-16 BE and UTF-8 with a BOM like UTF-8', async () => {
      const plain = await withBytes(Buffer.from(TEXT, 'utf8'));
      expect(plain.diagnostics).to.deep.equal([]);
      for (const bytes of [utf16le(TEXT), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(TEXT, 'utf16le').swap16()]), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])]) {
        const snapshot = await withBytes(bytes);
        expect(snapshot.diagnostics).to.deep.equal([]);
        expect(snapshot.takenAt).to.equal('2026-11-27T02:00:00Z');
        expect(snapshot.facts.get('xdrTenantId')).to.deep.include({ value: TENANT, declared: true });
      }
    });

    it('reports bytes that are not text at their line and column, never replacing them', async () => {
      const latin1 = await withBytes(Buffer.concat([Buffer.from('takenAt: 2026-11-27T02:00:00Z\nexports:\n  - kind: mde.mach'), Buffer.from([0xe9]), Buffer.from('nes\n')]));
      expect(brief(latin1.diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 3:19']);
      expect(latin1.diagnostics[0].message).to.equal('file is not valid UTF-8 or UTF-16 with a byte order mark');
      const loneSurrogate = await withBytes(Buffer.concat([utf16le('takenAt: 2026-11-27T02:00:00Z\nexports: ['), Buffer.from([0x00, 0xd8]), Buffer.from(']\n', 'utf16le')]));
      expect(brief(loneSurrogate.diagnostics)).to.deep.equal(['error manifest-invalid snapshot.yaml 2:11']);
    });

    it('reports UTF-16 without a byte order mark as such, not as a manifest that is no mapping', async () => {
      for (const [bytes, at] of [[Buffer.from(TEXT, 'utf16le'), '1:2'], [Buffer.from(TEXT, 'utf16le').swap16(), '1:1']] as const) {
        const snapshot = await withBytes(bytes);
        expect(brief(snapshot.diagnostics)).to.deep.equal([`error manifest-invalid snapshot.yaml ${at}`]);
        expect(snapshot.diagnostics[0].message).to.equal('file is not valid UTF-8 or UTF-16 with a byte order mark (UTF-16 without a byte order mark?)');
      }
    });
  });

  it('reads the manifest from an explicit path', async () => {
    const { dir, cleanup } = scratch();
    try {
      writeFileSync(join(dir, 'manifest.yaml'), `facts:\n  xdrTenantId: ${TENANT}\n`);
      const snapshot = await loadSnapshot(join(SNAPSHOTS, 'paging'), { manifest: join(dir, 'manifest.yaml') });
      expect(snapshot.diagnostics).to.deep.equal([]);
      expect(snapshot.facts.get('xdrTenantId')).to.deep.include({ value: TENANT, declared: true });
      const missing = await loadSnapshot(join(SNAPSHOTS, 'paging'), { manifest: join(dir, 'nope.yaml') });
      expect(missing.diagnostics.map((d) => d.code)).to.deep.equal(['manifest-invalid']);
    } finally {
      cleanup();
    }
  });
});

describe('snapshot facts: xdrTenantId', () => {
  it('is derived when all evidence agrees (case-insensitively, reported lower-case)', async () => {
    const snapshot = await loadCase('xdr-tenant-derived');
    expect(snapshot.diagnostics).to.deep.equal([]);
    const fact = snapshot.facts.get('xdrTenantId');
    expect(fact?.value).to.equal(TENANT);
    expect(fact?.declared).to.equal(false);
    expect(fact?.evidence.map((e) => `${e.source} ${e.origin.file} ${e.origin.pointer}`)).to.deep.equal([
      'MDE alerts (aadTenantId) mde/alerts.json /value/0',
      'Graph security alerts (tenantId) graph/alerts_v2.json /value/0',
    ]);
  });

  it('has no value and is an error when the evidence disagrees and nothing is declared', async () => {
    const snapshot = await loadCase('xdr-tenant-conflict');
    expect(brief(snapshot.diagnostics)).to.deep.equal(['error fact-conflict -']);
    expect(snapshot.diagnostics[0].message).to.contain(`${TENANT} (MDE alerts (aadTenantId), mde/alerts.json /value/0)`);
    expect(snapshot.diagnostics[0].message).to.contain(`${OTHER} (Graph security incidents (tenantId), graph/incidents.json /value/0)`);
    const fact = snapshot.facts.get('xdrTenantId');
    expect(fact?.value).to.equal(undefined);
    expect(fact?.conflicting).to.deep.equal([TENANT, OTHER].sort());
  });

  it('takes the declared value, lower-cased, when evidence agrees', async () => {
    const snapshot = await loadCase('xdr-tenant-declared');
    expect(snapshot.diagnostics).to.deep.equal([]);
    expect(snapshot.facts.get('xdrTenantId')).to.deep.include({ value: TENANT, declared: true });
  });

  it('keeps the declared value and warns at the manifest line when evidence disagrees', async () => {
    const snapshot = await loadCase('xdr-tenant-declared-conflict');
    expect(brief(snapshot.diagnostics)).to.deep.equal(['warning fact-conflict snapshot.yaml 3:16']);
    expect(snapshot.diagnostics[0].message).to.contain(`exports say ${OTHER} (MDE alerts (aadTenantId), mde/alerts.json /value/0)`);
    expect(snapshot.facts.get('xdrTenantId')).to.deep.include({ value: TENANT, declared: true });
  });

  it('exists without a value when there is no evidence', async () => {
    const snapshot = await loadCase('paging');
    expect(snapshot.facts.get('xdrTenantId')).to.deep.equal({ name: 'xdrTenantId', declared: false, evidence: [] });
  });
});
