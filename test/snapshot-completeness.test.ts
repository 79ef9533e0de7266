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

  it('a promised export with no file at all: a rule that could run on its other collections gives no verdict', async () => {
    const report = await lintContosoCopy((dir) => {
      rmSync(join(dir, 'mde', 'alerts.json'));
      // The one untriaged Defender for Cloud alert is triaged: only the lost MDE alerts could fail the rule.
      const file = join(dir, 'defender', 'c5f08d3a-6e21-4f9b-a7d4-0b8e2c6a9d35', 'alerts.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "Active"', '"status": "Resolved"'));
    });
    expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file}:${d.position?.line}`)).to.deep.equal(['export-missing snapshot.yaml:20']);
    const rule = report.rules.find((r) => r.id === 'high-severity-alerts-triaged');
    expect(rule?.status).to.equal('not-evaluated');
    expect(rule?.missing).to.deep.equal(['mde.alerts is incomplete: snapshot.yaml (export-missing)']);
    expect(findingsOf(report, 'high-severity-alerts-triaged')).to.deep.equal([]);
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

    it('a field twice in a record: an error at the repeat, and no verdict from that export', async () => {
      const report = await lintContosoCopy((dir) => {
        const page = join(dir, 'mde', 'machines.page-1.json');
        const text = readFileSync(page, 'utf8');
        writeFileSync(page, text.replace('"healthStatus": "Active",', '"healthStatus": "Active", "healthStatus": "Inactive",'));
      });
      const repeats = report.diagnostics.filter((d) => d.code === 'duplicate-key');
      expect(repeats.map((d) => `${d.severity} ${d.file} ${d.pointer} ${d.position?.line}`)).to.deep.equal(['error mde/machines.page-1.json /value/0/healthStatus 15']);
      expect(repeats[0].message).to.equal('the record has the field "healthStatus" more than once: JSON readers keep only the last, so the record is ambiguous; export it again');
      const rule = report.rules.find((r) => r.id === 'mde-device-healthy');
      expect(rule?.status).to.equal('not-evaluated');
      expect(rule?.missing).to.include('mde.machines is incomplete: mde/machines.page-1.json (duplicate-key)');
      expect(findingsOf(report, 'mde-device-healthy')).to.deep.equal([]);
    });
  });

  describe('page chains', () => {
    const MACHINES = 'https://api.security.microsoft.com/api/machines';
    type Page = { '@odata.context'?: string; '@odata.nextLink'?: string; '@odata.count'?: number; value: unknown[] };

    /** The demo's 33 machine records as `sizes.length` MDE pages linked by `$skip`, written into `dir/mde`; returns the file names. */
    function repage(dir: string, sizes: number[], extra: (page: Page) => void = () => undefined): string[] {
      const read = (f: string) => JSON.parse(readFileSync(join(dir, 'mde', f), 'utf8')) as Page;
      const first = read('machines.page-1.json');
      const devices = [...first.value, ...read('machines.page-2.json').value];
      rmSync(join(dir, 'mde', 'machines.page-2.json'));
      let skip = 0;
      return sizes.map((size, i) => {
        const page: Page = { '@odata.context': first['@odata.context'], value: devices.slice(skip, skip + size) };
        skip += size;
        if (i < sizes.length - 1) page['@odata.nextLink'] = `${MACHINES}?$skip=${skip}`;
        extra(page);
        const name = `machines.page-${i + 1}.json`;
        writeFileSync(join(dir, 'mde', name), JSON.stringify(page, null, 2));
        return name;
      });
    }

    it('a page missing from the middle of a $skip chain: an error naming the page after the gap', async () => {
      const report = await lintContosoCopy((dir) => {
        repage(dir, [7, 7, 7, 7]);
        rmSync(join(dir, 'mde', 'machines.page-2.json'));
      });
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.code} ${d.file}: ${d.message}`)).to.deep.equal([
        'incomplete-paging snapshot.yaml: mde.machines: mde/machines.page-3.json links to $skip=21 but holds 7 records after the page that links to $skip=7, so a page before it is missing; export all pages',
      ]);
      for (const id of READ_DEVICES) expect(report.rules.find((r) => r.id === id)?.status, id).to.equal('not-evaluated');
    });

    it('the page before the last, or the first, missing: the page numbers the exporter wrote show the gap', async () => {
      // Each of these leaves a chain that links as a complete one: only the numbering tells.
      for (const [sizes, lost, message] of [
        [[11, 11, 11], 'machines.page-2.json', 'mde/machines.page-3.json is numbered 3 but page 2 (mde/machines.page-2.json) is not there, so a page is missing; export all pages'],
        [[14, 19], 'machines.page-1.json', 'mde/machines.page-2.json is numbered 2 but page 1 (mde/machines.page-1.json) is not there, so a page is missing; export all pages'],
      ] as const) {
        const report = await lintContosoCopy((dir) => {
          repage(dir, [...sizes]);
          rmSync(join(dir, 'mde', lost));
        });
        const errors = report.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => `${d.code} ${d.file}: ${d.message}`), lost).to.deep.equal([`incomplete-paging snapshot.yaml: mde.machines: ${message}`]);
        for (const id of READ_DEVICES) expect(report.rules.find((r) => r.id === id)?.status, id).to.equal('not-evaluated');
      }
    });

    it('a complete $skip chain of four pages reads as the demo does', async () => {
      const report = await lintContosoCopy((dir) => repage(dir, [9, 8, 8, 8]));
      expect(report.diagnostics).to.deep.equal([]);
      expect(report.rules.map((r) => `${r.id} ${r.status}`)).to.deep.equal(baseline.rules.map((r) => `${r.id} ${r.status}`));
    });

    it('@odata.count on every page: the middle of three pages missing is an error', async () => {
      const report = await lintContosoCopy((dir) => {
        repage(dir, [10, 10, 8], (page) => (page['@odata.count'] = 28));
        rmSync(join(dir, 'mde', 'machines.page-2.json'));
      });
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`)).to.deep.equal([
        'incomplete-paging: mde.machines: mde/machines.page-1.json, mde/machines.page-3.json say @odata.count 28 but hold 18 records, so a page is missing; export all pages',
      ]);
    });

    it('Resource Graph totalRecords that the rows contradict, and a count that its page contradicts, are errors', async () => {
      const report = await lintContosoCopy((dir) => {
        type Result = { totalRecords: number; count: number; data: unknown[]; $skipToken?: string };
        const page1 = JSON.parse(readFileSync(join(dir, 'arm', 'vms.page-1.json'), 'utf8')) as Result;
        // The middle page of three is lost: 15 + 10 rows of 25 become 8 + 10.
        writeFileSync(join(dir, 'arm', 'vms.page-1.json'), JSON.stringify({ ...page1, count: 8, data: page1.data.slice(0, 8) }, null, 2));
        const page2 = JSON.parse(readFileSync(join(dir, 'arm', 'vms.page-2.json'), 'utf8')) as Result;
        // And the last page lost a row after export.
        writeFileSync(join(dir, 'arm', 'vms.page-2.json'), JSON.stringify({ ...page2, data: page2.data.slice(1) }, null, 2));
      });
      expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file}: ${d.message}`)).to.deep.equal([
        'record-count arm/vms.page-2.json: the page says it holds 10 rows (count) but holds 9: the file was cut or changed; export it again',
        'incomplete-paging snapshot.yaml: arm.virtualMachines: arm/vms.page-1.json, arm/vms.page-2.json say totalRecords 25 but hold 17 records, so a page is missing; export all pages',
      ]);
      expect(report.rules.find((r) => r.id === 'vm-onboarded-to-mde')?.status).to.equal('not-evaluated');
    });

    it('several paged lists and fewer last pages: the list without its last page is an error', async () => {
      const { dir, cleanup } = scratch();
      try {
        const alerts = JSON.parse(readFileSync(join(CONTOSO, 'defender', '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80', 'alerts.json'), 'utf8')) as { value: { id: string }[] };
        const url = (sub: string) => `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.Security/alerts?api-version=2022-01-01&$skiptoken=abc`;
        const subs = ['1d9e4b62-7c05-4a38-b6f1-9a2d3e8c5f17', '4f6d2a9c-8e31-4b7a-9d05-2c1e7f3a6b80'];
        // Both subscriptions' lists have a next page; only the first one's was saved.
        writeFileSync(join(dir, 'a-1.json'), JSON.stringify({ value: [alerts.value[0]], nextLink: url(subs[0]) }));
        writeFileSync(join(dir, 'a-2.json'), JSON.stringify({ value: [{ ...alerts.value[0], id: `${alerts.value[0].id}x` }] }));
        writeFileSync(join(dir, 'b-1.json'), JSON.stringify({ value: [{ ...alerts.value[0], id: `${alerts.value[0].id}y` }], nextLink: url(subs[1]) }));
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: ['rules/high-severity-alerts-triaged.yaml'] });
        expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file}: ${d.message}`)).to.deep.equal([
          `incomplete-paging a-1.json: defender.alerts: 2 lists are paged (${subs.map((s) => `https://management.azure.com/subscriptions/${s}/providers/microsoft.security/alerts?api-version=2022-01-01`).join(', ')}) but only 1 file has no next-page link, so a last page is missing; export all pages`,
        ]);
        expect(report.rules[0].status).to.equal('not-evaluated');
      } finally {
        cleanup();
      }
    });
  });
});
