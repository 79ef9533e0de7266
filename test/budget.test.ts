/** A rule that would explode is stopped by its evaluation budget, with an error naming it. */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Budget } from '../src/engine/budget';
import { evaluate } from '../src/engine/evaluate';
import { loadSnapshot } from '../src/snapshot/load';
import { loadRules } from '../src/rules/load';
import { COLLECTIONS } from '../src/lint';
import type { Snapshot, SnapshotRecord } from '../src/snapshot/types';

function machines(n: number): SnapshotRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    collection: 'mde.machines',
    data: { id: i.toString(16).padStart(40, '0'), computerDnsName: `host${i}`, osPlatform: 'Ubuntu', rbacGroupId: i % 7 },
    origin: { file: 'mde/machines.json', pointer: `/value/${i}` },
  }));
}

function snapshotOf(records: SnapshotRecord[]): Snapshot {
  return {
    root: '/tmp/x',
    collections: new Map([['mde.machines', { name: 'mde.machines', records, files: ['mde/machines.json'] }]]),
    facts: new Map(),
    files: [],
    diagnostics: [],
    incomplete: new Map(),
    unattributed: [],
  };
}

async function compile(text: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-budget-'));
  const id = /^id: (\S+)/m.exec(text)![1];
  writeFileSync(path.join(dir, `${id}.yaml`), text);
  const loaded = await loadRules([dir], { collections: COLLECTIONS });
  rmSync(dir, { recursive: true });
  return loaded;
}

const CROSS_JOIN = `id: cross-join
title: Every device is compared with every other device
severity: low
description: A rule that visits n x n pairs.
for: mde.machines
join:
  everyone: { from: mde.machines, many: true }
assert:
  none: everyone
  as: other
  satisfies:
    allOf:
      - { field: other.rbacGroupId, equals: { $field: rbacGroupId } }
      - { field: other.computerDnsName, equals: nobody }
message: "{{computerDnsName}}"
`;

/** A rule whose message alone reads a let over every device's 2,000 tags. */
const GROUP_THREE_TAGS = `id: group-three-tags
title: No device is in device group 3
severity: low
description: A rule whose message counts a long list.
for: mde.machines
let:
  prod: { select: machineTags, where: { field: item, equals: prod } }
assert: { field: rbacGroupId, notEquals: 3 }
message: "{{computerDnsName}} is in group 3 with {{prod | count}} prod tags"
`;

/** Devices in the group `groupOf` gives, each with the same 2,000 tags, 500 of them `prod`. */
function taggedMachines(n: number, groupOf: (i: number) => number): SnapshotRecord[] {
  const tags = Array.from({ length: 2_000 }, (_, i) => (i % 4 === 0 ? 'prod' : `tag${i}`));
  return machines(n).map((r, i) => ({ ...r, data: { ...r.data, rbacGroupId: groupOf(i), machineTags: tags } }));
}

describe('evaluation budgets', function () {
  this.timeout(30_000);

  it('stop a cross join of two 20k collections, with an error naming the rule', async () => {
    const { rules, diagnostics } = await compile(CROSS_JOIN);
    expect(diagnostics).to.deep.equal([]);
    // Unbudgeted this is 400M pair checks; the budget stops it after about 30M steps.
    const out = evaluate(rules, snapshotOf(machines(20_000)), Date.parse('2026-11-27T02:00:00Z'));
    expect(out.results[0].status).to.equal('not-evaluated');
    expect(out.diagnostics.map((d) => `${d.severity} ${d.code} ${d.ruleId}`)).to.deep.equal(['error rule-budget cross-join']);
    expect(out.diagnostics[0].message).to.match(/evaluation budget of \d+ steps exceeded/);
  });

  it('stop a rule in a pass shared with other rules of its collection alone, at the record where it stops on its own', async () => {
    const GROUP_THREE = `id: not-group-three
title: No device is in device group 3
severity: low
description: A rule that reads each device once.
for: mde.machines
assert: { field: rbacGroupId, notEquals: 3 }
message: "{{computerDnsName}} is in group 3"
`;
    const cross = (await compile(CROSS_JOIN)).rules[0];
    const simple = (await compile(GROUP_THREE)).rules[0];
    const snapshot = snapshotOf(machines(20_000));
    const now = Date.parse('2026-11-27T02:00:00Z');
    const together = evaluate([cross, simple], snapshot, now);
    const alone = [evaluate([cross], snapshot, now), evaluate([simple], snapshot, now)];
    expect(together.results).to.deep.equal(alone.flatMap((o) => o.results));
    expect(together.findings).to.deep.equal(alone.flatMap((o) => o.findings));
    expect(together.diagnostics).to.deep.equal(alone.flatMap((o) => o.diagnostics));
    expect(together.results.map((r) => `${r.id} ${r.status} ${r.failed}`)).to.deep.equal(['cross-join not-evaluated 0', 'not-group-three failed 2857']);
    expect(together.diagnostics[0].message).to.match(/exceeded \(after \d+ of 20000 records\)/);
  });

  it('let the same rule finish on a small collection, where it is merely quadratic', async () => {
    const { rules } = await compile(CROSS_JOIN);
    const out = evaluate(rules, snapshotOf(machines(500)), Date.parse('2026-11-27T02:00:00Z'));
    expect(out.diagnostics).to.deep.equal([]);
    expect(out.results[0]).to.include({ status: 'passed', evaluated: 500 });
  });

  it('spend nothing on a let that only the message reads for records that pass: it is worked out for the one that fails', async () => {
    const { rules, diagnostics } = await compile(GROUP_THREE_TAGS);
    expect(diagnostics).to.deep.equal([]);
    // 20k devices with 2,000 tags each: 40M steps if every device's let were worked out, over its 24M budget.
    const records = taggedMachines(20_000, (i) => (i === 4321 ? 3 : 1));
    const out = evaluate(rules, snapshotOf(records), Date.parse('2026-11-27T02:00:00Z'));
    expect(out.diagnostics).to.deep.equal([]);
    expect(out.results[0]).to.include({ status: 'failed', evaluated: 20_000, failed: 1 });
    expect(out.findings.map((f) => f.message)).to.deep.equal(['host4321 is in group 3 with 500 prod tags']);
  });

  it('stop a rule whose failing record\'s message reads a let over its budget before that record counts', async () => {
    const { rules, diagnostics } = await compile(GROUP_THREE_TAGS);
    expect(diagnostics).to.deep.equal([]);
    // The first 20 devices pass without reading their 2,000 tags; the 21st fails, and its message's let alone is over the budget.
    const records = taggedMachines(50, (i) => (i < 20 ? 1 : 3));
    const out = evaluate(rules, snapshotOf(records), Date.parse('2026-11-27T02:00:00Z'), () => new Budget(1_000));
    expect(out.results[0]).to.include({ status: 'not-evaluated', evaluated: 0, reason: 'stopped by the evaluation budget' });
    expect(out.findings).to.deep.equal([]);
    expect(out.diagnostics.map((d) => `${d.code} ${d.message}`)).to.deep.equal([
      'rule-budget rule group-three-tags stopped: evaluation budget of 1000 steps exceeded (after 20 of 50 records); a join or quantifier visits far more records than the snapshot holds',
    ]);
  });

  it('charge a long list operand by its length: a list parameter read thousands of times through a named condition stops', async () => {
    // 3,000 references to a 20,000-item list: 60M comparisons a device, hours on a real tenant; five devices show it.
    const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-budget-'));
    const platforms = Array.from({ length: 20_000 }, (_, i) => `Platform${i}`).join(', ');
    const checks = Array.from({ length: 3_000 }, () => '{ field: osPlatform, in: { $param: platforms } }').join(', ');
    writeFileSync(path.join(dir, 'many.conditions.yaml'), `conditions:\n  exotic-platform:\n    description: d\n    parameters:\n      platforms: { type: list, items: string, default: [${platforms}] }\n    condition: { anyOf: [${checks}] }\n`);
    writeFileSync(path.join(dir, 'exotic.yaml'), 'id: exotic\ntitle: t\nseverity: low\ndescription: d\nfor: mde.machines\nassert: { not: { condition: exotic-platform } }\nmessage: "{{computerDnsName}}"\n');
    const { rules, diagnostics } = await loadRules([dir], { collections: COLLECTIONS });
    rmSync(dir, { recursive: true });
    expect(diagnostics).to.deep.equal([]);
    const out = evaluate(rules, snapshotOf(machines(5)), Date.parse('2026-11-27T02:00:00Z'));
    expect(out.results[0].status).to.equal('not-evaluated');
    expect(out.diagnostics.map((d) => `${d.severity} ${d.code} ${d.ruleId}`)).to.deep.equal(['error rule-budget exotic']);
  });

  it('refuse conditions nested deeper than the limit when the rule loads', async () => {
    let cond = '{ field: osPlatform, equals: Ubuntu }';
    for (let i = 0; i < 40; i++) cond = `{ not: ${cond} }`;
    const { rules, diagnostics } = await compile(`id: deep\ntitle: t\nseverity: low\ndescription: d\nfor: mde.machines\nassert: ${cond}\nmessage: m\n`);
    expect(rules).to.have.length(0);
    expect(diagnostics.map((d) => d.message)).to.include('conditions nest deeper than 32 levels');
  });
});

/**
 * An estate of `subscriptions` subscriptions with 100 servers' devices each, exported as ARM and
 * Defender return it: every subscription's role assignments list the SOC's Reader assignment at the
 * root scope again (same id, the role definition under that subscription), so a server's device
 * lies under one root assignment per subscription.
 */
function writeRbacEstate(dir: string, subscriptions: number): void {
  const guid = (n: number, tag: number) => `${tag.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const SOC = guid(1, 0xc0ffee), APP_OPS = guid(2, 0xc0ffee), CONTRACTORS = guid(3, 0xc0ffee);
  const write = (file: string, value: unknown) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), JSON.stringify(value, null, 1));
  };
  const devices: unknown[] = [];
  for (let s = 0; s < subscriptions; s++) {
    const subId = guid(s, 0x5b5b5b5b);
    const sub = `/subscriptions/${subId}`;
    const role = (scope: string, principalId: string, name: string, definition: string) => ({
      properties: { roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${definition}`, principalId, principalType: 'Group', scope, condition: null, conditionVersion: null, createdOn: '2025-04-14T08:54:26.7153899Z', updatedOn: '2025-04-14T08:54:26.7153899Z' },
      id: `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      type: 'Microsoft.Authorization/roleAssignments',
      name,
    });
    write(`arm/${subId}/role-assignments.json`, {
      value: [
        role('/', SOC, guid(0, 0x7a7a7a7a), 'acdd72a7-3385-48ef-bd42-f606fba81ae7'),
        role(sub, SOC, guid(s, 0x7c7c7c7c), '39bc4728-0917-49c7-9d2c-d95423bc2eb4'),
        // Each subscription's app team holds its rg-app; the app operators are the first one's.
        role(`${sub}/resourceGroups/rg-app`, s === 0 ? APP_OPS : guid(100 + s, 0xc0ffee), guid(s, 0x7b7b7b7b), '9980e02c-c2be-4d73-94e8-173b1dc7cf3c'),
      ],
    });
    for (let i = 0; i < 100; i++) {
      const rg = i % 2 === 0 ? 'rg-app' : 'rg-db';
      devices.push({
        id: (s * 1000 + i).toString(16).padStart(40, 'a'),
        computerDnsName: `${rg.slice(3)}${s}-${i}.contoso.com`,
        lastSeen: '2026-11-26T21:14:03.1234567Z',
        osPlatform: 'Ubuntu',
        healthStatus: 'Active',
        onboardingStatus: 'Onboarded',
        rbacGroupId: 1000 + s,
        rbacGroupName: `servers-${s}`,
        vmMetadata: { vmId: guid(s * 1000 + i, 0x0f0f0f0f), cloudProvider: 'Azure', resourceId: `${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/vm${i}`, subscriptionId: subId },
      });
    }
  }
  write('mde/machines.json', { '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Machines', value: devices });
  const assignment = (n: number, displayName: string, principalId: string, appScopeIds: string[]) => ({ id: guid(n, 0x4b2d0c1e), description: '', displayName, roleDefinitionId: 'b5c08161-a7af-481c-ace2-a20a69a48fb1', principalIds: [principalId], directoryScopeIds: ['/'], appScopeIds });
  write('graph/defender-role-assignments.json', {
    '@odata.context': 'https://graph.microsoft.com/beta/$metadata#roleManagement/defender/roleAssignments',
    // The SOC sees every device; the app operators and the contractors see the first subscription's servers.
    value: [assignment(1, 'SOC analysts', SOC, ['/']), assignment(2, 'App operators', APP_OPS, ['1000']), assignment(3, 'Contractors', CONTRACTORS, ['1000'])],
  });
}

describe('evaluation cost of the built-in rules', function () {
  this.timeout(60_000);

  it('xdr-access-within-arm-access takes steps in proportion to the estate, however many subscriptions repeat a root assignment', async () => {
    const { rules } = await loadRules([path.join(__dirname, '..', 'rules', 'xdr-access-within-arm-access.yaml')], { collections: COLLECTIONS });
    const run = async (subscriptions: number) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'posture-lint-rbac-'));
      writeRbacEstate(dir, subscriptions);
      const snapshot = await loadSnapshot(dir);
      rmSync(dir, { recursive: true });
      let budget: Budget | undefined;
      const out = evaluate(rules, snapshot, Date.parse('2026-11-27T02:00:00Z'), (_id, records) => (budget = Budget.forRecords(records)));
      expect(out.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      return { steps: budget!.used, result: out.results[0], findings: out.findings.map((f) => `${f.resource.id}: ${f.message}`) };
    };
    const small = await run(4);
    const large = await run(16);
    // Same principals, same verdicts: the app operators see the first subscription's rg-db servers,
    // the contractors every server there; the SOC holds Reader at the root (and Security Reader on each
    // subscription) and sees nothing outside.
    expect(large.result).to.include({ status: 'failed', evaluated: 3, failed: 2 });
    expect(large.findings).to.deep.equal(small.findings);
    expect(large.findings[0]).to.include('sees 50 devices of servers outside its Azure role scopes (db0-1.contoso.com, db0-3.contoso.com, ');
    expect(large.findings[1]).to.include('sees 100 devices of servers outside its Azure role scopes (app0-0.contoso.com, db0-1.contoso.com, ');
    // Four times the estate (and four times the copies of the root assignment per device): four
    // times the steps, not sixteen.
    expect(large.steps / small.steps).to.be.within(3, 4.5);
  });
});
