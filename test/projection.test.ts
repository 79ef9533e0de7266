/**
 * The loader keeps only the fields the selected rules and the snapshot's own checks read: memory
 * follows what rules read, not the size of the export. None of that may change a verdict, a
 * message, a location or a diagnostic: every check below compares the cut snapshot with the whole.
 */
import { expect } from 'chai';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../src/engine/evaluate';
import { coverage } from '../src/engine/coverage';
import { COLLECTIONS, projectionFor } from '../src/lint';
import { checkNames } from '../src/rules/references';
import { loadSelectedRules } from '../src/rules/select';
import type { CompiledRule } from '../src/rules/types';
import { loadSnapshot } from '../src/snapshot/load';
import { planProjection, type FieldRead } from '../src/snapshot/projection';
import type { Snapshot } from '../src/snapshot/types';
import { CONTOSO, CONTOSO_NOW } from './adversarial-helpers';
import { FIXTURES, scratch } from './snapshot-helpers';

const allRules = async (): Promise<CompiledRule[]> => (await loadSelectedRules({ collections: COLLECTIONS, ruleset: 'all' })).rules;

function firstRecord(snapshot: Snapshot, collection: string): Record<string, unknown> {
  return snapshot.collections.get(collection)!.records[0].data;
}

/** What a lint would report of the snapshot, minus the parts that do not come from records. */
function outcome(rules: readonly CompiledRule[], snapshot: Snapshot): unknown {
  const { results, findings, diagnostics } = evaluate(rules, snapshot, CONTOSO_NOW.getTime());
  return { results, findings, diagnostics, loadDiagnostics: snapshot.diagnostics, coverage: coverage(snapshot), facts: [...snapshot.facts.values()] };
}

async function sameCutOrWhole(dir: string): Promise<void> {
  const rules = await allRules();
  const whole = await loadSnapshot(dir);
  const cut = await loadSnapshot(dir, { projection: projectionFor(rules) });
  expect(outcome(rules, cut)).to.deep.equal(outcome(rules, whole));
}

function ruleDoc(yaml: Record<string, unknown>): Record<string, unknown> {
  return { id: 'r', title: 't', severity: 'low', description: 'd', message: 'm', assert: { field: 'id', exists: true }, ...yaml };
}

function readsOf(doc: Record<string, unknown>): string[] {
  const { problems, reads } = checkNames(ruleDoc(doc));
  expect(problems).to.deep.equal([]);
  return [...new Set(reads.map((r) => `${r.collection} ${r.path.join('.')}${r.whole ? '' : ' (shape)'}`))].sort();
}

describe('what the loader keeps of each record', () => {
  it('keeps the fields the rules, identities, facts and dates read, and drops the rest', async () => {
    const rules = await allRules();
    const cut = await loadSnapshot(CONTOSO, { projection: projectionFor(rules) });
    const whole = await loadSnapshot(CONTOSO);
    const device = firstRecord(cut, 'mde.machines');
    // Read by rules (healthStatus), identity (id, computerDnsName), observation time (lastSeen).
    for (const field of ['id', 'computerDnsName', 'healthStatus', 'lastSeen', 'osPlatform', 'vmMetadata']) expect(device, field).to.have.property(field);
    // Exported but read by nothing.
    expect(firstRecord(whole, 'mde.machines')).to.have.property('osBuild');
    expect(device).not.to.have.property('osBuild');
    expect(Object.keys(device).length).to.be.lessThan(Object.keys(firstRecord(whole, 'mde.machines')).length);
  });

  it('the built-in rules give the same results, findings, diagnostics and coverage on cut records as on whole ones', async () => {
    await sameCutOrWhole(CONTOSO);
    await sameCutOrWhole(join(FIXTURES, 'real-examples'));
  });

  it('resolves reads through joins, lets, quantifiers and templates to the collection they read', () => {
    expect(
      readsOf({
        for: 'arm.virtualMachines',
        join: { devices: { from: 'mde.machines', on: { local: 'properties.vmId', foreign: 'vmMetadata.vmId' }, many: true } },
        let: { healthy: { select: 'devices', where: { field: 'item.healthStatus', equals: 'Active' } } },
        assert: { count: 'healthy', greater: 0 },
        message: '{{name}}{{#devices}} {{devices.computerDnsName | join}} of {{devices | count}}{{/devices}}',
      }),
    ).to.deep.equal([
      'arm.virtualMachines name',
      'arm.virtualMachines properties.vmId',
      'mde.machines  (shape)',
      'mde.machines computerDnsName',
      'mde.machines healthStatus',
      'mde.machines vmMetadata.vmId',
    ]);
  });

  it('exists and lists walked keep only the shape; an index or a JSONPath keeps the value whole', () => {
    expect(readsOf({ for: 'mde.machines', assert: { field: 'vmMetadata', exists: true } })).to.deep.equal(['mde.machines vmMetadata (shape)']);
    expect(readsOf({ for: 'mde.machines', assert: { field: 'machineTags[0]', equals: 'x' } })).to.deep.equal(['mde.machines machineTags']);
    expect(readsOf({ for: 'mde.machines', assert: { field: '$..vmId', exists: true } })).to.deep.equal(['mde.machines ']);
  });

  it('a kind read whole at its root is not cut; a shape read keeps elements but not their fields', () => {
    const reads: FieldRead[] = [
      { collection: 'mde.alerts', path: [], whole: true },
      { collection: 'mde.machines', path: ['machineTags'], whole: false },
    ];
    const projection = planProjection(reads);
    expect(projection.has('mde.alerts')).to.equal(false);
    const project = projection.get('mde.machines')!;
    const cut = project({ id: 'a', osBuild: 1, machineTags: [{ name: 'x', extra: 1 }, 'y'], __proto__: 'not the prototype' } as Record<string, unknown>);
    expect(cut).to.deep.equal({ id: 'a', machineTags: [{}, 'y'] });
    expect(Object.getPrototypeOf(cut)).to.equal(Object.prototype);
  });

  it('a resource exported twice that differs only in a field no rule reads is still reported, at that field', async () => {
    const { dir, cleanup } = scratch();
    try {
      cpSync(CONTOSO, dir, { recursive: true });
      const page1 = JSON.parse(readFileSync(join(dir, 'mde', 'machines.page-1.json'), 'utf8')) as { value: Record<string, unknown>[] };
      const page2File = join(dir, 'mde', 'machines.page-2.json');
      const page2 = JSON.parse(readFileSync(page2File, 'utf8')) as { value: Record<string, unknown>[] };
      page2.value.push({ ...page1.value[0], osBuild: 99999 });
      writeFileSync(page2File, JSON.stringify(page2, null, 2));
      const rules = await allRules();
      const cut = await loadSnapshot(dir, { projection: projectionFor(rules) });
      const conflicts = evaluate(rules, cut, CONTOSO_NOW.getTime()).diagnostics.filter((d) => d.code === 'conflicting-records');
      expect(conflicts.map((d) => `${d.file}#${d.pointer}`)).to.deep.equal([`mde/machines.page-2.json#/value/${page2.value.length - 1}/osBuild`]);
      expect(outcome(rules, cut)).to.deep.equal(outcome(rules, await loadSnapshot(dir)));
    } finally {
      cleanup();
    }
  });
});
