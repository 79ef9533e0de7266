import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { frameworks, resolveFramework } from '../src/compliance/frameworks';
import { loadRules } from '../src/rules/load';
import { COLLECTIONS } from '../src/lint';

const RULES_DIR = 'rules';
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('framework catalogues (frameworks/*.yaml)', () => {
  it('each names its version and published source, and every control its title, section and source', () => {
    const all = frameworks();
    expect(all.map((f) => f.key)).to.deep.equal(['cis-azure@2.0.0', 'cis-azure@3.0.0', 'mcsb@v1', 'nist-800-53@r5']);
    for (const f of all) {
      expect(f.source, f.key).to.match(/^https:\/\//);
      expect(f.scope.length, `${f.key} says which part of the framework it lists`).to.be.greaterThan(40);
      for (const c of f.controls) {
        expect(c.title, `${f.key} ${c.id}`).to.not.equal('');
        expect(c.source, `${f.key} ${c.id}`).to.match(/^https:\/\//);
      }
    }
  });

  it('control ids have each framework\'s own shape', () => {
    const shapes: Record<string, RegExp> = { mcsb: /^[A-Z]{2}-\d+$/, 'nist-800-53': /^[A-Z]{2}-\d+$/, 'cis-azure': /^\d+(\.\d+)+$/ };
    for (const f of frameworks()) for (const c of f.controls) expect(c.id, f.key).to.match(shapes[f.id]);
  });

  it('the controls auditors ask about for servers and endpoints are listed', () => {
    const ids = (key: string) => resolveFramework(key)!.controls.map((c) => c.id);
    expect(ids('mcsb@v1')).to.include.members(['ES-1', 'ES-2', 'ES-3', 'PA-7', 'LT-1', 'PV-5', 'PV-6', 'IR-4', 'AM-1']);
    expect(ids('nist-800-53@r5')).to.include.members(['SI-3', 'SI-4', 'AC-6', 'RA-5', 'IR-4', 'IR-5', 'CM-8', 'SI-2', 'AC-2']);
    expect(ids('cis-azure@2.0.0')).to.include.members(['2.1.1', '2.1.22']);
    expect(ids('cis-azure@3.0.0')).to.include.members(['3.1.3.1', '3.1.3.3']);
  });

  it('a bare framework id names its newest version; an unknown one names nothing', () => {
    expect(resolveFramework('cis-azure')?.key).to.equal('cis-azure@3.0.0');
    expect(resolveFramework('cis-azure@2.0.0')?.key).to.equal('cis-azure@2.0.0');
    expect(resolveFramework('mcsb')?.key).to.equal('mcsb@v1');
    expect(resolveFramework('cis-azure@9.9.9')).to.equal(undefined);
    expect(resolveFramework('iso-27001')).to.equal(undefined);
  });

  it('a name with anything after its version names nothing, not that version', () => {
    for (const name of ['mcsb@v1@junk', 'mcsb@v1@', 'cis-azure@2.0.0@3.0.0', 'mcsb@']) expect(resolveFramework(name), name).to.equal(undefined);
  });
});

describe('control mappings of the built-in rules', () => {
  // A new built-in rule must say which controls it evidences: add a `controls:` map to its YAML
  // (framework version -> list of { id, coverage: full | partial, note }), ids from frameworks/*.yaml,
  // or `controls: {}` when it evidences none. `npm run generate` after adding a catalogue.
  for (const file of ruleFiles) {
    it(`${file} declares the controls it evidences, each id in its framework's catalogue`, () => {
      const doc = parse(readFileSync(path.join(RULES_DIR, file), 'utf8')) as { controls?: Record<string, { id: string; coverage: string; note?: string }[]> };
      expect(doc.controls, `${file} has a controls: map (empty {} if it evidences no control)`).to.be.an('object');
      for (const [key, list] of Object.entries(doc.controls!)) {
        const framework = frameworks().find((f) => f.key === key);
        expect(framework, `${file}: framework ${key} has a catalogue under frameworks/`).to.not.equal(undefined);
        const ids = framework!.controls.map((c) => c.id);
        for (const c of list) {
          expect(ids, `${file}: ${key} ${c.id}`).to.include(c.id);
          if (c.coverage === 'partial') expect(c.note, `${file}: ${key} ${c.id} says which part it evidences`).to.be.a('string');
        }
      }
    });
  }

  it('the loaded rules carry their controls, so reports can say which controls each rule evidences', async () => {
    const { rules, diagnostics } = await loadRules([RULES_DIR], { collections: COLLECTIONS });
    expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    const av = rules.find((r) => r.meta.id === 'av-mode-active-on-servers')!;
    expect(av.meta.controls).to.deep.include({ framework: 'mcsb@v1', id: 'ES-2', coverage: 'partial', note: av.meta.controls![0].note });
  });
});
