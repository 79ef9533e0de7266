import { expect } from 'chai';
import type { Finding } from '../src/report/model';
import { sortFindings, summarize } from '../src/report/summary';
import { DIAGNOSTICS, FINDINGS, RULES } from './report-fixture';

describe('report summary', () => {
  describe('summarize', () => {
    it('counts findings by severity, rules by status and diagnostics by severity', () => {
      expect(summarize(RULES, FINDINGS, DIAGNOSTICS)).to.deep.equal({
        findings: 4,
        suppressed: 0,
        bySeverity: { critical: 1, high: 2, medium: 1, low: 0, info: 0 },
        rules: { total: 5, passed: 1, failed: 3, checkedNothing: 0, notEvaluated: 1 },
        diagnostics: { error: 1, warning: 1, note: 0 },
      });
    });

    it('gives all-zero counts for an empty run', () => {
      expect(summarize([], [], [])).to.deep.equal({
        findings: 0,
        suppressed: 0,
        bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
        rules: { total: 0, passed: 0, failed: 0, checkedNothing: 0, notEvaluated: 0 },
        diagnostics: { error: 0, warning: 0, note: 0 },
      });
    });
  });

  describe('sortFindings', () => {
    const key = (f: Finding) => `${f.ruleId} ${f.resource.name}`;

    it('puts the most severe first, then orders by rule id and resource id', () => {
      expect(sortFindings(FINDINGS).map(key)).to.deep.equal([
        'defender-servers-plan-on VirtualMachines',
        // Resource ids 7a3c… < c0ff…, whatever the names say.
        'linux-realtime-protection-on vm-linux-01.contoso.com',
        'linux-realtime-protection-on vm-linux-02.contoso.com',
        'mde-sensor-active mymachine1.contoso.com',
      ]);
    });

    it('returns a new array and leaves its input alone', () => {
      const input = [...FINDINGS];
      const sorted = sortFindings(input);
      expect(sorted).to.not.equal(input);
      expect(input).to.deep.equal(FINDINGS);
    });

    it('gives the same order whatever order the findings come in', () => {
      expect(sortFindings([...FINDINGS].reverse())).to.deep.equal(sortFindings(FINDINGS));
    });

    it('breaks ties on message, then on locations', () => {
      const base = FINDINGS[0];
      const at = (pointer: string, message = base.message): Finding => ({
        ...base,
        message,
        locations: [{ file: 'mde/machines.json', pointer }],
      });
      const sorted = sortFindings([at('/value/9'), at('/value/1', 'z'), at('/value/10')]);
      expect(sorted.map((f) => `${f.message} ${f.locations[0].pointer}`)).to.deep.equal([
        `${base.message} /value/10`,
        `${base.message} /value/9`,
        'z /value/1',
      ]);
    });

    it('orders a finding with fewer locations before one that extends it', () => {
      const one = FINDINGS[1];
      const fewer = { ...one, locations: one.locations.slice(0, 1) };
      expect(sortFindings([one, fewer])).to.deep.equal([fewer, one]);
    });
  });
});
