/** A rule that would explode is stopped by its evaluation budget, with an error naming it. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../src/engine/evaluate';
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

  it('let the same rule finish on a small collection, where it is merely quadratic', async () => {
    const { rules } = await compile(CROSS_JOIN);
    const out = evaluate(rules, snapshotOf(machines(500)), Date.parse('2026-11-27T02:00:00Z'));
    expect(out.diagnostics).to.deep.equal([]);
    expect(out.results[0]).to.include({ status: 'passed', evaluated: 500 });
  });

  it('refuse conditions nested deeper than the limit when the rule loads', async () => {
    let cond = '{ field: osPlatform, equals: Ubuntu }';
    for (let i = 0; i < 40; i++) cond = `{ not: ${cond} }`;
    const { rules, diagnostics } = await compile(`id: deep\ntitle: t\nseverity: low\ndescription: d\nfor: mde.machines\nassert: ${cond}\nmessage: m\n`);
    expect(rules).to.have.length(0);
    expect(diagnostics.map((d) => d.message)).to.include('conditions nest deeper than 32 levels');
  });
});
