/**
 * A join that binds one record (not `many`) whose key matches several records is ambiguous: the
 * records of one device's antivirus health that disagree, or two records that share the device's
 * id. Every alternative is checked and the subject fails if any fails, whatever the file order.
 * Runs the built-in rules on changed copies of the demo snapshot.
 */
import { expect } from 'chai';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model';
import { FORMATTERS } from '../src/report/formatters';
import { CONTOSO, lintAt } from './adversarial-helpers';
import { scratch } from './snapshot-helpers';

/** web-prod-01: a Windows server whose deviceavinfo says active mode ("0"). */
const DEVICE = '2a23102e1c1a8256776cf92e9b9fe4e12e426992';
type Change = (record: Record<string, unknown>) => Record<string, unknown>;
type Page = { '@odata.context'?: string; value: Record<string, unknown>[] };

/**
 * The demo snapshot with the device's deviceavinfo record moved out of deviceavinfo.json into
 * deviceavinfo-a.json (changed by `own`, if given) and a second record of it (changed by `other`) into
 * deviceavinfo-b.json, or the other way round: the JSON report, with the scratch folder's path taken out.
 */
async function lintWithSecondAvRecord(other: Change, changedFirst: boolean, own: Change = (r) => r): Promise<{ report: Report; text: string }> {
  const { dir, cleanup } = scratch();
  try {
    cpSync(CONTOSO, dir, { recursive: true });
    const file = join(dir, 'mde', 'deviceavinfo.json');
    const page = JSON.parse(readFileSync(file, 'utf8')) as Page;
    const record = page.value.find((r) => r.machineId === DEVICE)!;
    expect(record.avMode).to.equal('0');
    page.value = page.value.filter((r) => r !== record);
    writeFileSync(file, JSON.stringify(page, null, 2));
    const [a, b] = changedFirst ? [other(record), own(record)] : [own(record), other(record)];
    writeFileSync(join(dir, 'mde', 'deviceavinfo-a.json'), JSON.stringify({ value: [a] }, null, 2));
    writeFileSync(join(dir, 'mde', 'deviceavinfo-b.json'), JSON.stringify({ value: [b] }, null, 2));
    const { report } = await lintAt({ snapshot: dir });
    return { report, text: FORMATTERS.json(report).split(dir).join('<snapshot>') };
  } finally {
    cleanup();
  }
}

function verdictOf(report: Report, ruleId: string): string[] {
  return report.findings.filter((f) => f.ruleId === ruleId && f.resource.id === DEVICE).map((f) => f.message);
}

describe('a join that matches several records', () => {
  it("the device's deviceavinfo exported twice, Active and Passive: it fails in either file order, and the reports are identical", async () => {
    const passive = (r: Record<string, unknown>) => ({ ...r, avMode: '1' });
    const activeFirst = await lintWithSecondAvRecord(passive, false);
    const passiveFirst = await lintWithSecondAvRecord(passive, true);
    for (const { report } of [activeFirst, passiveFirst]) {
      expect(report.diagnostics.map((d) => d.code)).to.include('conflicting-records');
      const [message, ...more] = verdictOf(report, 'av-mode-active-on-servers');
      expect(more).to.deep.equal([]);
      expect(message).to.match(/^web-prod-01\.corp\.contoso\.com \(WindowsServer2022\) .* deviceavinfo avMode Passive\.$/);
    }
    expect(passiveFirst.text).to.equal(activeFirst.text);
    // Nor does the coverage picture count the server as protected on the record that came first.
    const prod = (report: Report) => report.coverage?.find((row) => row.name === 'contoso-prod')?.realTimeProtection;
    const baseline = (await lintAt({ snapshot: CONTOSO })).report;
    expect(prod(activeFirst.report)).to.equal(prod(baseline)! - 1);
  });

  it('Passive and PassiveAudit: every alternative fails, and the finding is the same whichever file comes first', async () => {
    const passive: Change = (r) => ({ ...r, avMode: '1' });
    const audit: Change = (r) => ({ ...r, avMode: '5' });
    const first = await lintWithSecondAvRecord(audit, false, passive);
    const second = await lintWithSecondAvRecord(audit, true, passive);
    const messages = verdictOf(first.report, 'av-mode-active-on-servers');
    expect(messages).to.have.length(1);
    expect(messages[0]).to.match(/ deviceavinfo avMode (Passive|PassiveAudit)\.$/);
    expect(second.text).to.equal(first.text);
  });

  it('agreeing repeats of the record stay one record: the device passes as before', async () => {
    const { report } = await lintWithSecondAvRecord((r) => ({ ...r }), true);
    expect(report.diagnostics.map((d) => d.code)).to.not.include('conflicting-records');
    expect(verdictOf(report, 'av-mode-active-on-servers')).to.deep.equal([]);
    const baseline = (await lintAt({ snapshot: CONTOSO })).report;
    expect(report.rules.map((r) => `${r.id} ${r.status} ${r.evaluated} ${r.failed}`)).to.deep.equal(baseline.rules.map((r) => `${r.id} ${r.status} ${r.evaluated} ${r.failed}`));
  });
});
