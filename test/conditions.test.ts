import { expect } from 'chai';
import { compileCondition, type CompileEnv } from '../src/rules/conditions';
import { Bound, parsePath, resolvePath } from '../src/rules/path';
import type { EvalContext } from '../src/rules/types';
import { UNLIMITED } from '../src/engine/budget';

const ctx: EvalContext = { facts: new Map([['xdrTenantId', '31c75423-32d6-4322-88b7-c478bdde4858']]), now: Date.parse('2026-11-27T02:00:00Z'), budget: UNLIMITED };

function compile(cond: unknown, params: Record<string, unknown> = {}) {
  const errors: string[] = [];
  const env: CompileEnv = { params, facts: new Set(), error: (at, m) => errors.push(`${at.join('.')}: ${m}`) };
  const pred = compileCondition(cond, ['assert'], env);
  return { pred, errors, facts: env.facts };
}

/** An MDE machine (fields as in the List machines API) with a joined deviceavinfo record. */
const machine = {
  id: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  computerDnsName: 'mymachine1.contoso.com',
  osPlatform: 'Ubuntu',
  rbacGroupId: 140,
  machineTags: ['test tag 1', 'test tag 2'],
  ipAddresses: [
    { ipAddress: '10.166.113.47', operationalStatus: 'Up' },
    { ipAddress: '2a01:110:68:4:59e4:3916:3b3e:4f96', operationalStatus: 'Down' },
  ],
  vmMetadata: null,
  '@odata.type': '#microsoft.graph.security.deviceEvidence',
};
const scope = new Bound(machine, ['av']);
scope.bindNext({ avMode: 'Passive', avIsSignatureUpToDate: true });

describe('field paths', () => {
  it('read nested fields, indexes, quoted keys and bound joins', () => {
    const get = (p: string) => resolvePath(parsePath(p) as never, scope);
    expect(get('ipAddresses[1].ipAddress')).to.equal('2a01:110:68:4:59e4:3916:3b3e:4f96');
    expect(get("['@odata.type']")).to.equal('#microsoft.graph.security.deviceEvidence');
    expect(get('ipAddresses.operationalStatus')).to.deep.equal(['Up', 'Down']);
    expect(get('av.avMode')).to.equal('Passive');
    expect(get('vmMetadata.vmId')).to.equal(undefined);
  });

  it('read tag names in any case, as ARM does, preferring the exact spelling', () => {
    const vm = { name: 'web-01', tags: { Env: 'prod', 'Cost Center': '4711' }, properties: { Env: 'not a tag' } };
    const get = (p: string) => resolvePath(parsePath(p) as never, vm);
    expect(get('tags.env')).to.equal('prod');
    expect(get("tags['cost center']")).to.equal('4711');
    expect(get('tags.ENV')).to.equal('prod');
    // Only tag names: other ARM fields keep their exact case.
    expect(get('properties.env')).to.equal(undefined);
    expect(resolvePath(parsePath('tags.env') as never, { tags: { env: 'exact', Env: 'other' } })).to.equal('exact');
    expect(compile({ field: 'tags.environment', equals: 'prod' }).pred(new Bound({ tags: { Environment: 'Prod' } }, undefined), ctx)).to.equal(true);
  });

  it('never read inherited properties such as constructor or __proto__', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}');
    const get = (p: string) => resolvePath(parsePath(p) as never, hostile);
    expect(get('constructor')).to.equal(undefined);
    expect(get('toString')).to.equal(undefined);
    expect(get('__proto__.polluted')).to.equal(true);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('reject malformed paths and JSONPath filter scripts', () => {
    expect(parsePath('a..b')).to.be.a('string');
    expect(parsePath('a[')).to.be.a('string');
    expect(parsePath("$..[?(@.constructor.constructor('return process')())]")).to.be.a('string').that.includes('filter or script');
    expect(parsePath('$..vmId')).to.have.property('jsonPath', '$..vmId');
  });

  it('run plain JSONPath selectors with script evaluation off', () => {
    const p = parsePath('$.ipAddresses[*].ipAddress');
    expect(resolvePath(p as never, scope)).to.deep.equal(['10.166.113.47', '2a01:110:68:4:59e4:3916:3b3e:4f96']);
  });

  it('treat a JSONPath that matches nothing as absent, like a missing field', () => {
    const exists = compile({ field: '$.vmMetadata.vmId', exists: true });
    const missing = compile({ field: '$..resourceId', exists: false });
    expect([exists.errors, missing.errors]).to.deep.equal([[], []]);
    expect(exists.pred(scope, ctx)).to.equal(false);
    expect(missing.pred(scope, ctx)).to.equal(true);
    expect(compile({ field: '$.machineTags[*]', contains: 'test tag 2' }).pred(scope, ctx)).to.equal(true);
  });
});

describe('conditions', () => {
  it('combine allOf, anyOf and not', () => {
    const { pred, errors } = compile({
      allOf: [{ field: 'osPlatform', in: ['Ubuntu', 'Debian'] }, { not: { field: 'av.avMode', equals: 'Active' } }, { anyOf: [{ field: 'rbacGroupId', equals: 0 }, { field: 'rbacGroupId', greater: 100 }] }],
    });
    expect(errors).to.deep.equal([]);
    expect(pred(scope, ctx)).to.equal(true);
  });

  it('treat an absent field as failing every operator but exists: false', () => {
    expect(compile({ field: 'healthStatus', notEquals: 'Inactive' }).pred(scope, ctx)).to.equal(false);
    expect(compile({ field: 'healthStatus', notIn: ['Inactive'] }).pred(scope, ctx)).to.equal(false);
    expect(compile({ field: 'healthStatus', exists: false }).pred(scope, ctx)).to.equal(true);
  });

  it('read right-hand values from parameters, facts and other fields', () => {
    expect(compile({ field: 'osPlatform', in: { $param: 'linux' } }, { linux: ['Ubuntu'] }).pred(scope, ctx)).to.equal(true);
    const withFact = compile({ field: 'tenantId', equals: { $fact: 'xdrTenantId' } });
    expect(withFact.facts.has('xdrTenantId')).to.equal(true);
    const sub = new Bound({ tenantId: '31C75423-32D6-4322-88B7-C478BDDE4858' }, undefined);
    expect(withFact.pred(sub, ctx)).to.equal(true);
    expect(compile({ field: 'computerDnsName', startsWith: { $field: 'osPlatform' } }).pred(scope, ctx)).to.equal(false);
  });

  it('a fact without a value fails the comparison instead of matching undefined', () => {
    const { pred } = compile({ field: 'missingToo', equals: { $fact: 'xdrTenantId' } });
    expect(pred(scope, { ...ctx, facts: new Map() })).to.equal(false);
  });

  it('refuses a fact posture-lint does not know, with the closest one', () => {
    const { errors } = compile({ field: 'tenantId', equals: { $fact: 'xdrTenantID2' } });
    expect(errors).to.deep.equal(["assert.equals.$fact: unknown fact 'xdrTenantID2' (did you mean 'xdrTenantId'?) (known: xdrTenantId)"]);
  });

  it('quantify over arrays with a bound element name', () => {
    expect(compile({ any: 'ipAddresses', satisfies: { field: 'item.operationalStatus', equals: 'Down' } }).pred(scope, ctx)).to.equal(true);
    expect(compile({ all: 'ipAddresses', as: 'ip', satisfies: { field: 'ip.operationalStatus', equals: 'Up' } }).pred(scope, ctx)).to.equal(false);
    expect(compile({ none: 'machineTags', satisfies: { field: 'item', equals: 'prod' } }).pred(scope, ctx)).to.equal(true);
    expect(compile({ all: 'emptyList', satisfies: { field: 'item', equals: 1 } }).pred(new Bound({ emptyList: [] }, undefined), ctx)).to.equal(true);
  });

  it('a quantifier or count over a list that is not there fails, as an absent field does', () => {
    // `count: owner` with no `owner` field: 0 elements would pass "at most 3 owners".
    const absent = new Bound({ owners: null }, undefined);
    for (const c of [
      { all: 'nothingHere', satisfies: { field: 'item', equals: 1 } },
      { none: 'nothingHere', satisfies: { field: 'item', equals: 1 } },
      { any: 'nothingHere', satisfies: { field: 'item', exists: false } },
      { count: 'nothingHere', lessOrEqual: 3 },
      { count: 'nothingHere', equals: 0 },
      { count: 'owners', lessOrEqual: 3 },
      { all: 'owners', satisfies: { field: 'item', equals: 1 } },
    ]) {
      expect(compile(c).pred(absent, ctx), JSON.stringify(c)).to.equal(false);
    }
    expect(compile({ field: 'nothingHere', exists: false }).pred(absent, ctx)).to.equal(true);
  });

  it('count elements, filtered and distinct, against bounds', () => {
    const s = new Bound({ devices: [{ g: 1 }, { g: 1 }, { g: 2 }, { g: null }] }, undefined);
    expect(compile({ count: 'devices', equals: 4 }).pred(s, ctx)).to.equal(true);
    expect(compile({ count: 'devices', where: { field: 'item.g', exists: true }, greaterOrEqual: 3, less: 4 }).pred(s, ctx)).to.equal(true);
    expect(compile({ count: 'devices', distinct: 'item.g', where: { field: 'item.g', exists: true }, lessOrEqual: 1 }).pred(s, ctx)).to.equal(false);
  });

  it('report mistakes at the path of the offending node', () => {
    expect(compile({ field: 'x', equal: 1 }).errors).to.deep.equal(['assert.equal: unknown operator \'equal\'']);
    expect(compile({ field: 'x', equals: 1, in: [1] }).errors[0]).to.include('exactly one operator');
    expect(compile({ field: 'x', in: { $param: 'nope' } }).errors[0]).to.match(/^assert\.in\.\$param: unknown parameter 'nope'/);
    expect(compile({ field: 'x', match: '(a' }).errors[0]).to.match(/^assert\.match: regular expression '\(a' is not valid RE2/);
    expect(compile({ allOf: [{ field: 'x', exists: true }, { oops: 1 }] }).errors[0]).to.match(/^assert\.allOf\.1: a condition needs one of/);
    expect(compile({ any: 'x' }).errors[0]).to.include("needs 'satisfies'");
  });
});
