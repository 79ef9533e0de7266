import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { buildRuleSchema } from '../src/rules/schema';
import { operatorReference } from '../src/rules/reference';
import { OPERATORS } from '../src/rules/operators';
import { exportsReference } from '../src/snapshot/exports-reference';

describe('files generated from code tables', () => {
  const onDisk = JSON.parse(readFileSync('schemas/rule.schema.json', 'utf8'));

  it('schemas/rule.schema.json is current (run `npm run generate` after changing operators)', () => {
    expect(onDisk).to.deep.equal(buildRuleSchema());
  });

  it('docs/operators.md is current (run `npm run generate` after changing operators)', () => {
    expect(readFileSync('docs/operators.md', 'utf8')).to.equal(operatorReference());
  });

  it('docs/exports.md is current (run `npm run generate` after changing export kinds)', () => {
    expect(readFileSync('docs/exports.md', 'utf8')).to.equal(exportsReference());
  });

  it('the rule schema gives every property a title and a description, for completion and hover help', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (node === null || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, { title?: string; description?: string }> }).properties;
      for (const [name, sub] of Object.entries(props ?? {})) {
        if (!sub.title || !sub.description) missing.push(`${at}.${name}`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}.${k}`);
    };
    walk(onDisk, '$');
    expect(missing).to.deep.equal([]);
  });

  it('every operator example is a valid condition', async () => {
    const { parse } = await import('yaml');
    const { compileCondition } = await import('../src/rules/conditions');
    for (const op of OPERATORS) {
      const errors: string[] = [];
      compileCondition(parse(op.example), ['assert'], { params: {}, facts: new Set(), error: (_at, m) => errors.push(m) });
      expect(errors, op.example).to.deep.equal([]);
    }
  });

  it('the schema describes every operator with its example, for editor hover help', () => {
    const props = onDisk.$defs.fieldCondition.properties;
    for (const op of OPERATORS) {
      expect(props, op.name).to.have.property(op.name);
      expect(props[op.name].description).to.include(op.example);
    }
  });
});
