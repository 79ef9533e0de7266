/**
 * Completeness reaches the verdicts: a rule that reads a collection with an input error (a file
 * unparsable or cut, records dropped, pages missing) gives no verdict, naming the files, and a file
 * whose kind cannot be told stops every rule. Runs the built-in rules on broken copies of the demo
 * snapshot, as a user would.
 */
import { expect } from 'chai';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model';
import { CONTOSO, exitOf, lintAt, reportSchemaErrors } from './adversarial-helpers';
import { scratch } from './snapshot-helpers';

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

/** `status` per rule id. */
function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.rules.map((r) => [r.id, r.status]));
}

function findingsOf(report: Report, ruleId: string): string[] {
  return report.findings.filter((f) => f.ruleId === ruleId).map((f) => f.resource.id).sort();
}

/** Rules of the recommended set that read MDE devices, directly or through a join. */
const READ_DEVICES = ['device-groups-cover-rbac-scopes', 'device-in-device-group', 'mde-device-healthy', 'vm-onboarded-to-mde'];

describe('snapshot completeness reaches the verdicts', () => {
  let baseline: Report;
  before(async () => {
    baseline = (await lintAt({ snapshot: CONTOSO })).report;
  });

  it('a truncated MDE machines page: the rules that read devices give no verdict, naming the page; the others stand', async () => {
    const report = await lintContosoCopy((dir) => {
      const page = join(dir, 'mde', 'machines.page-2.json');
      writeFileSync(page, readFileSync(page, 'utf8').slice(0, 3000));
    });
    for (const id of READ_DEVICES) {
      const rule = report.rules.find((r) => r.id === id);
      expect(rule?.status, id).to.equal('not-evaluated');
      expect(rule?.missing, id).to.include('mde.machines is incomplete: mde/machines.page-2.json (json-syntax), snapshot.yaml (incomplete-paging)');
      expect(findingsOf(report, id), `${id} reports nothing from half the devices`).to.deep.equal([]);
    }
    // Rules that read no device keep their verdicts and findings.
    for (const id of ['defender-servers-plan-enabled', 'mde-integration-enabled', 'subscription-tenant-matches-xdr']) {
      expect(statuses(report)[id], id).to.equal(statuses(baseline)[id]);
      expect(findingsOf(report, id), id).to.deep.equal(findingsOf(baseline, id));
    }
    expect(exitOf(report)).to.equal(2);
    expect(reportSchemaErrors(report)).to.deep.equal([]);
  });

  it('the demo has what these rules fail on: without the cut they report the devices of page 2', () => {
    for (const id of READ_DEVICES) expect(statuses(baseline)[id], id).to.equal('failed');
  });

  it('an unparsable file whose kind cannot be told: every rule gives no verdict, naming the file', async () => {
    const report = await lintContosoCopy((dir) => writeFileSync(join(dir, 'mde', 'export-3.json'), '{"val'));
    expect(report.rules.filter((r) => r.status !== 'not-evaluated').map((r) => r.id)).to.deep.equal([]);
    for (const rule of report.rules) {
      expect(rule.missing, rule.id).to.deep.equal(['any export may be incomplete: the kind of mde/export-3.json (json-syntax) cannot be told']);
    }
    expect(report.findings).to.deep.equal([]);
    expect(exitOf(report)).to.equal(2);
  });

  it('an unparsable file whose @odata.context survives: only the rules that read that kind stop', async () => {
    const report = await lintContosoCopy((dir) => {
      const text = readFileSync(join(dir, 'mde', 'deviceavinfo.json'), 'utf8');
      writeFileSync(join(dir, 'mde', 'deviceavinfo.json'), text.slice(0, text.indexOf('"value"') + 200));
    });
    expect(report.snapshot.files.find((f) => f.file === 'mde/deviceavinfo.json')).to.deep.equal({ file: 'mde/deviceavinfo.json', kinds: ['mde.avHealth'], records: 0 });
    const stopped = report.rules.filter((r) => r.status === 'not-evaluated');
    expect(stopped.length).to.be.greaterThan(0);
    for (const rule of stopped) {
      expect(rule.needs, rule.id).to.include('mde.avHealth');
      expect(rule.missing, rule.id).to.deep.equal(['mde.avHealth is incomplete: mde/deviceavinfo.json (json-syntax)']);
    }
    expect(statuses(report)['subscription-tenant-matches-xdr']).to.equal('failed');
  });

  it('a record dropped as invalid: the rules that read its kind give no verdict', async () => {
    const report = await lintContosoCopy((dir) => {
      const file = join(dir, 'mde', 'machines.page-1.json');
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { value: Record<string, unknown>[] };
      doc.value[2].healthStatus = ['Inactive'];
      writeFileSync(file, JSON.stringify(doc, null, 2));
    });
    const rule = report.rules.find((r) => r.id === 'mde-device-healthy');
    expect(rule?.status).to.equal('not-evaluated');
    expect(rule?.missing).to.deep.equal(['mde.machines is incomplete: mde/machines.page-1.json (invalid-record)']);
  });

  it('a fact derived from an incomplete export: the rules that use it give no verdict', async () => {
    const report = await lintContosoCopy((dir) => {
      // The XDR tenant is then read from the exports, and one of them lost its records.
      writeFileSync(join(dir, 'snapshot.yaml'), readFileSync(join(dir, 'snapshot.yaml'), 'utf8').replace(/^facts:\n.*\n/m, ''));
      const text = readFileSync(join(dir, 'mde', 'alerts.json'), 'utf8');
      writeFileSync(join(dir, 'mde', 'alerts.json'), text.slice(0, text.indexOf('"value"') + 300));
    });
    const rule = report.rules.find((r) => r.id === 'subscription-tenant-matches-xdr');
    expect(rule?.status).to.equal('not-evaluated');
    expect(rule?.missing).to.deep.equal(['mde.alerts is incomplete: mde/alerts.json (json-syntax)']);
  });

  describe('repeated keys', () => {
    it('"value" twice in an envelope: an error at the repeat, and no verdict from that export', async () => {
      const report = await lintContosoCopy((dir) => {
        const page = join(dir, 'mde', 'machines.page-2.json');
        const text = readFileSync(page, 'utf8');
        writeFileSync(page, text.replace(/\n}\s*$/, ',\n  "value": []\n}\n'));
      });
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.code} ${d.file} ${d.pointer} ${d.position?.line}:${d.position?.column}`)).to.deep.equal([
        `duplicate-key mde/machines.page-2.json /value ${readFileSync(join(CONTOSO, 'mde', 'machines.page-2.json'), 'utf8').trimEnd().split('\n').length}:3`,
      ]);
      for (const id of READ_DEVICES) expect(report.rules.find((r) => r.id === id)?.missing, id).to.include('mde.machines is incomplete: mde/machines.page-2.json (duplicate-key)');
    });

    it('a null next link after the real one: an error, so the page cannot pass for the last', async () => {
      const report = await lintContosoCopy((dir) => {
        const page = join(dir, 'mde', 'machines.page-1.json');
        writeFileSync(page, readFileSync(page, 'utf8').replace(/\n}\s*$/, ',\n  "@odata.nextLink": null\n}\n'));
        rmSync(join(dir, 'mde', 'machines.page-2.json'));
      });
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file} ${d.pointer}`)).to.deep.equal([
        'duplicate-key mde/machines.page-1.json /@odata.nextLink',
      ]);
      expect(report.rules.find((r) => r.id === 'mde-device-healthy')?.status).to.equal('not-evaluated');
    });

    it('a field twice in a record: a warning at the repeat; the record loads as JSON readers see it', async () => {
      const report = await lintContosoCopy((dir) => {
        const page = join(dir, 'mde', 'machines.page-1.json');
        const text = readFileSync(page, 'utf8');
        writeFileSync(page, text.replace('"healthStatus": "Active",', '"healthStatus": "Active", "healthStatus": "Inactive",'));
      });
      const repeats = report.diagnostics.filter((d) => d.code === 'duplicate-key');
      expect(repeats.map((d) => `${d.severity} ${d.file} ${d.pointer} ${d.position?.line}`)).to.deep.equal(['warning mde/machines.page-1.json /value/0/healthStatus 15']);
      expect(repeats[0].message).to.equal('the record has the field "healthStatus" more than once; the last value is used');
      expect(report.findings.filter((f) => f.ruleId === 'mde-device-healthy').map((f) => f.message).join('\n')).to.include('web-prod-01');
    });
  });
});
