import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { cmp } from '../src/diagnostics';
import { DEFAULT_OUT_DIR, GENERATED_ENTRIES, writeDemoSnapshot } from '../scripts/make-demo-snapshot';

/** Every file under `dir` (relative, `/` separators), sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort(cmp);
}

/** Files of the committed snapshot that the generator owns (the README is hand-written). */
function committedGeneratedFiles(): string[] {
  return listFiles(DEFAULT_OUT_DIR).filter((f) => GENERATED_ENTRIES.includes(f.split('/')[0] ?? ''));
}

describe('demo snapshot fixtures/snapshots/contoso', () => {
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-snapshot-'));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is exactly what scripts/make-demo-snapshot.ts generates (run it after editing the estate)', () => {
    const written = writeDemoSnapshot(tmp);
    expect(listFiles(tmp)).to.deep.equal(written);
    expect(committedGeneratedFiles()).to.deep.equal(written);
    const stale = written.filter(
      (f) => !fs.readFileSync(path.join(tmp, f)).equals(fs.readFileSync(path.join(DEFAULT_OUT_DIR, f))),
    );
    expect(stale, 'files that differ from a fresh rendering').to.deep.equal([]);
  });

  it('holds only parseable JSON, pretty-printed with a trailing newline', () => {
    const jsonFiles = committedGeneratedFiles().filter((f) => f.endsWith('.json'));
    expect(jsonFiles.length).to.be.greaterThan(30);
    for (const f of jsonFiles) {
      const text = fs.readFileSync(path.join(DEFAULT_OUT_DIR, f), 'utf8');
      expect(() => JSON.parse(text), f).not.to.throw();
      expect(text, f).to.equal(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    }
  });

  it('has a manifest whose XDR tenant agrees with the tenant ids the MDE and Graph exports carry', () => {
    const manifest = parseYaml(fs.readFileSync(path.join(DEFAULT_OUT_DIR, 'snapshot.yaml'), 'utf8')) as {
      takenAt: string;
      facts: { xdrTenantId: string };
      exports: Array<{ kind: string }>;
    };
    expect(manifest.takenAt).to.equal('2026-11-27T02:00:00Z');
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(DEFAULT_OUT_DIR, f), 'utf8'));
    const tenants = new Set<string>([
      ...read('mde/alerts.json').value.map((a: { aadTenantId: string }) => a.aadTenantId),
      ...read('graph/incidents.json').value.map((i: { tenantId: string }) => i.tenantId),
      ...listFiles(path.join(DEFAULT_OUT_DIR, 'mde/mdatp-health')).map((f) => read(`mde/mdatp-health/${f}`).orgId),
    ]);
    expect([...tenants]).to.deep.equal([manifest.facts.xdrTenantId]);
    expect(manifest.exports.map((e) => e.kind)).to.include.members(['arm.subscriptions', 'mde.machines', 'graph.incidents']);
  });
});
