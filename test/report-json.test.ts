import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { json } from '../src/report/formatters/json';
import { SEVERITIES } from '../src/report/model';
import { contosoReport, formatContext } from './report-fixture';

const root = join(__dirname, '..');
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('report json formatter', () => {
  const report = contosoReport();
  const out = json(report, formatContext(false));

  it('writes a document that the report schema accepts', () => {
    expect(errorsOf(JSON.parse(out))).to.deep.equal([]);
  });

  it('round-trips: parsing the output gives the report back', () => {
    expect(JSON.parse(out)).to.deep.equal(report);
  });

  it('pretty-prints with two spaces and ends with a newline', () => {
    expect(out.startsWith('{\n  "schemaVersion": "1.1",\n  "tool": {\n    "name": "posture-lint"')).to.equal(true);
    expect(out.endsWith('}\n')).to.equal(true);
  });

  it('adds nothing that changes between runs or machines', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(json(contosoReport(), formatContext(true))).to.equal(out);
  });
});

describe('report schema', () => {
  const mutate = (change: (doc: any) => void): unknown => {
    const doc = JSON.parse(json(contosoReport(), formatContext(false)));
    change(doc);
    return doc;
  };

  it('has the same severities as the model', () => {
    expect(schema.$defs.severity.enum).to.deep.equal([...SEVERITIES]);
  });

  it('rejects fields the contract does not define, at every level', () => {
    expect(errorsOf(mutate((d) => (d.generatedAt = '2024-01-01T00:00:00Z')))).to.deep.equal([
      ' must NOT have additional properties',
    ]);
    expect(errorsOf(mutate((d) => (d.findings[0].resource.subscriptionId = 'x')))).to.deep.equal([
      '/findings/0/resource must NOT have additional properties',
    ]);
    expect(errorsOf(mutate((d) => (d.summary.bySeverity.severe = 0)))).to.deep.equal([
      '/summary/bySeverity must NOT have additional properties',
    ]);
  });

  it('rejects unknown severities and statuses, and missing required fields', () => {
    expect(errorsOf(mutate((d) => (d.findings[0].severity = 'severe')))).to.deep.equal([
      '/findings/0/severity must be equal to one of the allowed values',
    ]);
    expect(errorsOf(mutate((d) => (d.rules[0].status = 'skipped')))).to.deep.equal([
      '/rules/0/status must be equal to one of the allowed values',
    ]);
    expect(errorsOf(mutate((d) => delete d.rules[4].needs))).to.deep.equal([
      "/rules/4 must have required property 'needs'",
    ]);
    expect(errorsOf(mutate((d) => (d.schemaVersion = '2.0')))).to.deep.equal([
      '/schemaVersion must be equal to constant',
    ]);
  });

  it('rejects 0-based positions and pointers that are not JSON pointers', () => {
    expect(errorsOf(mutate((d) => (d.diagnostics[1].position.line = 0)))).to.deep.equal([
      '/diagnostics/1/position/line must be >= 1',
    ]);
    expect(errorsOf(mutate((d) => (d.findings[0].locations[0].pointer = 'value/0')))).to.deep.equal([
      '/findings/0/locations/0/pointer must match pattern "^(/.*)?$"',
    ]);
  });

  it('gives every property a title and a description', () => {
    const bare: string[] = [];
    const walk = (node: any, path: string): void => {
      for (const [name, sub] of Object.entries<any>(node.properties ?? {})) {
        if (!sub.title || !sub.description) bare.push(`${path}/${name}`);
        walk(sub, `${path}/${name}`);
      }
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.$defs)) walk(def, `#/$defs/${name}`);
    expect(bare).to.deep.equal([]);
  });

  it('accepts the example in docs/report-format.md', () => {
    const doc = readFileSync(join(root, 'docs', 'report-format.md'), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc);
    expect(example, 'a ```json block in docs/report-format.md').to.not.equal(null);
    expect(errorsOf(JSON.parse(example![1]))).to.deep.equal([]);
  });
});
