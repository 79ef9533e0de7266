/**
 * The evaluator's string fast paths against the definitions they stand for, on seeded random input
 * (replayable from the seed): withinScope against scopeKey equality and prefix, sameIgnoringCase
 * against toLowerCase equality, a scope join's binary searches against filtering every record by
 * scopeKey, equals and scope joins that share folded keys against joinKey and scopeKey, toTime's
 * cache of recent times against parsing each time alone.
 * A fast path that disagreed on one odd ARM id would put a resource in or out of a rule's scope.
 */
import { expect } from 'chai';
import { JoinIndexes, joinKey } from '../src/engine/joins';
import { UNLIMITED } from '../src/engine/budget';
import { Resources } from '../src/engine/resources';
import { Bound, parsePath, type ParsedPath } from '../src/rules/path';
import type { CompiledJoin } from '../src/rules/types';
import { sameIgnoringCase, scopeKey, withinScope } from '../src/rules/values';
import type { JsonObject } from '../src/snapshot/types';
import { toTime } from '../src/time';
import { prng } from './adversarial-helpers';

const SEED = 20261205;
const RUNS = 20_000;

/** withinScope as it was defined before its fast path: both sides as scopeKey, by whole segments. */
function withinScopeByKeys(id: string, scope: string): boolean {
  const s = scopeKey(scope);
  const i = scopeKey(id);
  return s === '/' || i === s || i.startsWith(`${s}/`);
}

/** Segments as exports and hand-written scopes spell them, odd ones included. */
const SEGMENTS = [
  'subscriptions', 'SUBSCRIPTIONS', 'Subscriptions', '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80', '4F6D2A9C-8E31-4B7A-9D05-2C1E7F3A6B80',
  'resourceGroups', 'resourcegroups', 'rg-web', 'RG-WEB', 'rg-web0', 'rg-we', 'providers', 'Microsoft.Compute', 'virtualMachines',
  'vm1', 'VM1', 'vm1 ', ' vm1', 'vm 1', 'Büro', 'BÜRO', 'büro', '\u0130stanbul', 'i\u0307stanbul', 'istanbul', 'KELVIN\u212a', 'kelvink',
  'ß', 'SS', 'σ', 'Σ', 'ς', '😀', 'a\u0000b', '0', '.', '',
];

function randomId(rng: ReturnType<typeof prng>): string {
  const n = rng.int(6);
  const parts = Array.from({ length: n }, () => rng.pick(SEGMENTS));
  let id = parts.join(rng.next() < 0.1 ? '//' : '/');
  if (rng.next() < 0.85) id = `/${id}`;
  if (rng.next() < 0.1) id = `${id}/`;
  if (rng.next() < 0.05) id = rng.pick(['/', '//', ' /', '/ ', '']);
  return id;
}

describe('evaluator string fast paths agree with their definitions (seeded)', () => {
  it(`withinScope agrees with scopeKey equality or prefix on ${RUNS} odd ids and scopes (seed ${SEED})`, () => {
    const rng = prng(SEED);
    const disagreements: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const scope = randomId(rng);
      // Half the ids are drawn below the scope, so "inside" is asked as often as "outside".
      const id = rng.next() < 0.5 ? `${rng.next() < 0.5 ? scope.toUpperCase() : scope}${rng.next() < 0.3 ? '' : '/'}${randomId(rng).replace(/^\//, '')}` : randomId(rng);
      if (withinScope(id, scope) !== withinScopeByKeys(id, scope)) disagreements.push(`${JSON.stringify(id)} in ${JSON.stringify(scope)}`);
    }
    expect(disagreements.slice(0, 10)).to.deep.equal([]);
  });

  it(`sameIgnoringCase is toLowerCase equality on ${RUNS} random Unicode pairs (seed ${SEED + 1})`, () => {
    const rng = prng(SEED + 1);
    // Code points whose case mappings are odd (length-changing, context-dependent, many-to-one), then any.
    const odd = [0x130, 0x131, 0x49, 0x69, 0x3a3, 0x3c3, 0x3c2, 0xdf, 0x1e9e, 0x212a, 0x4b, 0x6b, 0x2126, 0x3c9, 0x1f88, 0x10400, 0x10428, 0xd800, 0xdc00, 0x41, 0x61];
    const codePoint = (): number => (rng.next() < 0.6 ? rng.pick(odd) : rng.next() < 0.5 ? rng.int(0x80) : rng.int(0x110000));
    const randomString = (): string => String.fromCodePoint(...Array.from({ length: rng.int(6) }, codePoint));
    const disagreements: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const a = randomString();
      // Often b is a's case variant, so "equal" is asked as often as "different".
      const b = rng.next() < 0.5 ? randomString() : rng.next() < 0.5 ? a.toUpperCase() : a.toLowerCase();
      const want = a.toLowerCase() === b.toLowerCase();
      if (sameIgnoringCase(a, b) !== want || sameIgnoringCase(b, a) !== want) disagreements.push(JSON.stringify([a, b]));
    }
    expect(disagreements.slice(0, 10)).to.deep.equal([]);
  });

  it(`a scope join finds exactly the records whose scopeKey is the scope's or below it (seed ${SEED + 3})`, () => {
    const rng = prng(SEED + 3);
    // Characters that sort just below, at and above '/' and '0', the bounds of a scope's range.
    const parts = ['a', 'A', 'a.', 'a-', 'a0', 'a/', 'a\u0000', 'a\u0000b', 'ab', 'b', '', '\u00e9', '\u00c9', '/'];
    const id = (): string => `/${Array.from({ length: 1 + rng.int(4) }, () => rng.pick(parts)).join('/')}${rng.next() < 0.1 ? '/' : ''}`;
    for (let run = 0; run < 200; run++) {
      const records = Array.from({ length: 1 + rng.int(40) }, (_, i) => ({ id: id(), n: i }) as JsonObject);
      const collection = { name: 'arm.virtualMachines', files: ['vms.json'], records: records.map((data, i) => ({ collection: 'arm.virtualMachines', data, origin: { file: 'vms.json', pointer: `/value/${i}` } })) };
      const join: CompiledJoin = { name: 'below', from: 'arm.virtualMachines', on: [{ local: parsePath('scope') as ParsedPath, foreign: parsePath('id') as ParsedPath, match: 'scope' }], many: true, required: true, joins: [], indexKey: 'below' };
      const indexes = new JoinIndexes(new Resources(new Map([[collection.name, collection]])), { facts: new Map(), now: 0, budget: UNLIMITED });
      for (const scope of [...Array.from({ length: 10 }, id), '/', records[0].id as string]) {
        const s = scopeKey(scope);
        const want = records.filter((r) => { const k = scopeKey(r.id as string); return s === '/' || k === s || k.startsWith(`${s}/`); }).map((r) => r.n);
        // A resource's repeated records are listed together, after its first: compared as sets.
        const got = (indexes.lookup(join, new Bound({ scope }, undefined), { facts: new Map(), now: 0, budget: UNLIMITED }) as JsonObject[]).map((r) => r.n as number).sort((a, b) => a - b);
        expect(got, `${JSON.stringify(scope)} over ${JSON.stringify(records.map((r) => r.id))}`).to.deep.equal(want);
      }
    }
  });

  it(`equals and scope joins over the same ids, folded once per spelling, find what joinKey and scopeKey say (seed ${SEED + 4})`, () => {
    const rng = prng(SEED + 4);
    const ctx = { facts: new Map(), now: 0, budget: UNLIMITED };
    for (let run = 0; run < 200; run++) {
      // Ids repeat across records in other spellings: one index's folded copy serves the other's.
      const pool = Array.from({ length: 1 + rng.int(8) }, () => randomId(rng));
      const records = Array.from({ length: 1 + rng.int(30) }, (_, i) => {
        const id = rng.pick(pool);
        return { id: rng.next() < 0.3 ? id.toUpperCase() : id, n: i } as JsonObject;
      });
      const collection = { name: 'arm.virtualMachines', files: ['vms.json'], records: records.map((data, i) => ({ collection: 'arm.virtualMachines', data, origin: { file: 'vms.json', pointer: `/value/${i}` } })) };
      const on = (match: 'equals' | 'scope') => [{ local: parsePath('key') as ParsedPath, foreign: parsePath('id') as ParsedPath, match }];
      const equals: CompiledJoin = { name: 'same', from: 'arm.virtualMachines', on: on('equals'), many: true, required: true, joins: [], indexKey: 'same' };
      const below: CompiledJoin = { name: 'below', from: 'arm.virtualMachines', on: on('scope'), many: true, required: true, joins: [], indexKey: 'below' };
      // Either index built first, so each reads keys the other folded.
      for (const [first, second] of [[equals, below], [below, equals]] as const) {
        const indexes = new JoinIndexes(new Resources(new Map([[collection.name, collection]])), ctx);
        const found = (join: CompiledJoin, key: string) => (indexes.lookup(join, new Bound({ key }, undefined), ctx) as JsonObject[]).map((r) => r.n as number).sort((a, b) => a - b);
        for (const key of [...pool, ...pool.map((p) => p.toUpperCase()), randomId(rng)]) {
          const wantEquals = records.filter((r) => joinKey(r.id) !== undefined && joinKey(r.id) === joinKey(key)).map((r) => r.n);
          const s = scopeKey(key);
          const wantBelow = records.filter((r) => { const k = scopeKey(r.id as string); return s === '/' || k === s || k.startsWith(`${s}/`); }).map((r) => r.n);
          for (const join of [first, second]) expect(found(join, key), `${join.name} ${JSON.stringify(key)} over ${JSON.stringify(records.map((r) => r.id))}`).to.deep.equal(join === equals ? wantEquals : wantBelow);
        }
      }
    }
  });

  it(`toTime's cache of recent times gives each text its own time, read in any order (seed ${SEED + 2})`, () => {
    const rng = prng(SEED + 2);
    const texts = Array.from({ length: 12 }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}T0${i % 10}:00:00Z`);
    texts.push('2026-11-27', '2026-11-27T02:00:00+01:00', 'not a time', ' 2026-11-27T02:00:00Z');
    const alone = new Map(texts.map((t) => [t, Date.parse(t.trim())]));
    for (let run = 0; run < 5_000; run++) {
      const t = rng.pick(texts);
      const want = Number.isNaN(alone.get(t)) ? undefined : alone.get(t);
      expect(toTime(t), `${t} at run ${run}`).to.equal(want);
    }
  });
});
