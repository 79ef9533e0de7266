import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { buildConditionsSchema, buildRuleSchema } from '../src/rules/schema';
import { operatorReference } from '../src/rules/reference';
import { OPERATORS } from '../src/rules/operators';
import { exportsReference } from '../src/snapshot/exports-reference';
import { readmeRegions, withRegions } from '../src/readme-tables';
import { EXPORT_KINDS } from '../src/snapshot/kinds';

/**
 * What would make a command mean something else in bash or PowerShell: `$` or a backtick inside
 * double quotes (both expand them), an unquoted `&`, `;`, `|` (command separators and pipes) or `$`
 * other than `$(hostname)` (a subexpression in both shells). Single quotes are literal in both.
 */
function shellProblems(command: string): string[] {
  const problems: string[] = [];
  const outside = command.replace(/'[^']*'/g, "''").replace(/"([^"]*)"/g, (_, inner: string) => {
    const expanded = /\$\w+|`/.exec(inner);
    if (expanded) problems.push(`"${expanded[0]}" would be expanded inside double quotes`);
    return '""';
  });
  for (const m of outside.replace(/\$\(hostname\)/g, '').matchAll(/[&;|`$]/g)) problems.push(`unquoted '${m[0]}'`);
  return problems;
}

describe('files generated from code tables', () => {
  const onDisk = JSON.parse(readFileSync('schemas/rule.schema.json', 'utf8'));

  it('schemas/rule.schema.json is current (run `npm run generate` after changing operators)', () => {
    expect(onDisk).to.deep.equal(buildRuleSchema());
  });

  it('schemas/conditions.schema.json is current (run `npm run generate` after changing operators or the conditions format)', () => {
    expect(JSON.parse(readFileSync('schemas/conditions.schema.json', 'utf8'))).to.deep.equal(buildConditionsSchema());
  });

  it('docs/operators.md is current (run `npm run generate` after changing operators)', () => {
    expect(readFileSync('docs/operators.md', 'utf8')).to.equal(operatorReference());
  });

  it('docs/exports.md is current (run `npm run generate` after changing export kinds)', () => {
    expect(readFileSync('docs/exports.md', 'utf8')).to.equal(exportsReference());
  });

  it('README.md lists every built-in rule and every export they read (run `npm run generate` after changing rules or kinds)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).to.equal(withRegions(readme, await readmeRegions()));
    const rules = readdirSync('rules').filter((f) => f.endsWith('.yaml'));
    for (const f of rules) expect(readme, f).to.include(`[\`${f.replace('.yaml', '')}\`](rules/${f.replace('.yaml', '.md')})`);
    for (const kind of ['defender.pricings', 'defender.settings', 'defender.assessments', 'defender.alerts', 'mde.vulnerabilities', 'xdr.roleAssignments', 'entra.roleAssignments']) {
      expect(readme, kind).to.include(`| \`${kind}\` | \``);
    }
  });

  it('every export command pastes unchanged into bash and PowerShell', () => {
    for (const k of EXPORT_KINDS) {
      const problems = shellProblems(k.howToExport);
      expect(problems, `${k.id}: ${k.howToExport}`).to.deep.equal([]);
    }
    // What the check catches: the form the docs had, which loses $expand in both shells.
    expect(shellProblems('az rest --method get --url "https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments?$expand=principal"')).to.deep.equal([
      '"$expand" would be expanded inside double quotes',
    ]);
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
