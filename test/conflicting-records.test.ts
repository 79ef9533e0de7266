/**
 * Records of one resource that disagree are ambiguous: a warning names both places, every distinct
 * record is checked, and a rule fails the resource if any of them fails. Repeats that agree stay
 * one resource. Runs the built-in rules on changed copies of the demo snapshot.
 */
import { expect } from 'chai';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model';
import { CONTOSO, CONTOSO_NOW, lintAt } from './adversarial-helpers';
import { evaluate } from '../src/engine/evaluate';
import { COLLECTIONS, projectionFor } from '../src/lint';
import { loadConfiguredRules } from '../src/rules/select';
import { findRepeats } from '../src/snapshot/repeats';
import { loadSnapshot } from '../src/snapshot/load';
import { scratch } from './snapshot-helpers';

const PROD = '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80';
const FABRIKAM_TENANT = 'b2c3d4e5-0000-4a5b-8c9d-fab71c4e0002';

async function lintContosoCopy(change: (dir: string) => void): Promise<Report> {
  const { dir, cleanup } = scratch();
  try {
    cpSync(CONTOSO, dir, { recursive: true });
    change(dir);
    return (await lintAt({ snapshot: dir })).report;
  } finally {
    cleanup();
  }
}

function edit<T>(file: string, change: (doc: T) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as T;
  change(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

function conflicts(report: Report): string[] {
  return report.diagnostics.filter((d) => d.code === 'conflicting-records').map((d) => `${d.severity} ${d.file}#${d.pointer}: ${d.message}`);
}

describe('records of one resource that disagree', () => {
  it('a subscription in two exports with different tenantId: a warning naming both places, and the rule fails it', async () => {
    const report = await lintContosoCopy((dir) =>
      edit<Record<string, unknown>[]>(join(dir, 'arm', 'az-account-list.json'), (list) => {
        list.push({ ...list[0], id: PROD, name: 'contoso-prod', homeTenantId: FABRIKAM_TENANT, tenantId: FABRIKAM_TENANT, isDefault: false, managedByTenants: [] });
      }),
    );
    expect(conflicts(report)).to.deep.equal([
      // The az list already holds contoso-prod (#/0); the copy says another home tenant.
      `warning arm/az-account-list.json#/5/homeTenantId: arm.subscriptions /subscriptions/${PROD} is exported twice with different values: arm/az-account-list.json#/0/homeTenantId and arm/az-account-list.json#/5/homeTenantId; rules check both records and fail the resource if either fails`,
    ]);
    const failed = report.findings.filter((f) => f.ruleId === 'subscription-tenant-matches-xdr').map((f) => f.resource.id);
    expect(failed).to.include(`/subscriptions/${PROD}`);
    const rule = report.rules.find((r) => r.id === 'subscription-tenant-matches-xdr');
    // Four judged subscriptions (the fifth is Disabled), each counted once however many records it has.
    expect(rule).to.include({ evaluated: 4, failed: 2 });
  });

  it('a device Active on one page and Inactive on the other: the device fails, whichever page comes first', async () => {
    for (const inactiveOn of ['machines.page-1.json', 'machines.page-2.json']) {
      const report = await lintContosoCopy((dir) => {
        const page1 = JSON.parse(readFileSync(join(dir, 'mde', 'machines.page-1.json'), 'utf8')) as { value: Record<string, unknown>[] };
        const device = page1.value[0];
        expect(device.healthStatus).to.equal('Active');
        edit<{ value: Record<string, unknown>[] }>(join(dir, 'mde', 'machines.page-2.json'), (page2) => page2.value.push({ ...device }));
        edit<{ value: Record<string, unknown>[] }>(join(dir, 'mde', inactiveOn), (page) => {
          const copy = page.value.find((d) => d.id === device.id) as Record<string, unknown>;
          copy.healthStatus = 'Inactive';
        });
      });
      expect(conflicts(report), inactiveOn).to.have.length(1);
      expect(conflicts(report)[0], inactiveOn).to.match(/^warning mde\/machines\.page-2\.json#\/value\/19\/healthStatus: mde\.machines 2a23102e1c1a8256776cf92e9b9fe4e12e426992 is exported twice with different values: mde\/machines\.page-1\.json#\/value\/0\/healthStatus and mde\/machines\.page-2\.json#\/value\/19\/healthStatus/);
      const findings = report.findings.filter((f) => f.ruleId === 'mde-device-healthy' && f.resource.id === '2a23102e1c1a8256776cf92e9b9fe4e12e426992');
      expect(findings.map((f) => f.locations.map((l) => `${l.file}#${l.pointer}`)), inactiveOn).to.deep.equal([
        ['mde/machines.page-1.json#/value/0', 'mde/machines.page-2.json#/value/19'],
      ]);
    }
  });

  it('repeats that agree, or only add fields, are one resource and no warning', async () => {
    const baseline = (await lintAt({ snapshot: CONTOSO })).report;
    const report = await lintContosoCopy((dir) => {
      const page1 = JSON.parse(readFileSync(join(dir, 'mde', 'machines.page-1.json'), 'utf8')) as { value: Record<string, unknown>[] };
      edit<{ value: Record<string, unknown>[] }>(join(dir, 'mde', 'machines.page-2.json'), (page2) => {
        page2.value.push({ ...page1.value[0] }, { ...page1.value[1], isPotentialDuplication: false });
      });
    });
    expect(conflicts(report)).to.deep.equal([]);
    expect(report.rules.map((r) => `${r.id} ${r.status} ${r.evaluated} ${r.failed}`)).to.deep.equal(baseline.rules.map((r) => `${r.id} ${r.status} ${r.evaluated} ${r.failed}`));
  });
});

describe('records of one resource, found once', () => {
  it('the loader groups each collection once and the evaluator uses its groups: the same results as grouping again', async () => {
    const { rules } = await loadConfiguredRules({ collections: COLLECTIONS, ruleset: 'all' });
    const snapshot = await loadSnapshot(CONTOSO, { projection: projectionFor(rules) });
    const subscriptions = snapshot.collections.get('arm.subscriptions')!;
    // The demo lists its subscriptions twice (az account list and the REST form).
    expect(subscriptions.repeats).to.have.length.greaterThan(0);
    for (const c of snapshot.collections.values()) if (c.repeats !== undefined) expect(c.repeats, c.name).to.deep.equal(findRepeats(c.name, c.records));
    const now = CONTOSO_NOW.getTime();
    const asLoaded = evaluate(rules, snapshot, now);
    for (const c of snapshot.collections.values()) delete c.repeats;
    expect(evaluate(rules, snapshot, now)).to.deep.equal(asLoaded);
  });
});
