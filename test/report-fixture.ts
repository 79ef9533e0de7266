/**
 * A hand-built report for the formatter tests, shaped like a lint of a small Contoso estate:
 * two Linux servers with antivirus passive, a Windows client with its sensor inactive (machine id and
 * DNS name from the MDE "List machines" docs example, shared/examples/mde/machines.get-machines.*),
 * Defender for Servers on Free, and an unparsable XDR role export that leaves one rule not evaluated.
 */
import { diagnostic, type Diagnostic } from '../src/diagnostics';
import type { Finding, FormatContext, Report, RuleMeta, RuleResult } from '../src/report/model';
import { sortFindings, summarize } from '../src/report/summary';
import { fingerprintOf } from '../src/engine/evaluate';
import { DEFAULT_GATE, judge } from '../src/gate/verdict';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';

export const RULES: RuleResult[] = [
  {
    id: 'defender-servers-plan-on',
    title: 'Defender for Servers is on for every subscription',
    severity: 'critical',
    status: 'failed',
    evaluated: 1,
    passed: 0,
    failed: 1,
    needs: ['defender.pricings'],
  },
  {
    id: 'linux-realtime-protection-on',
    title: 'Linux servers have antivirus real-time protection on',
    severity: 'high',
    status: 'failed',
    evaluated: 3,
    passed: 1,
    failed: 2,
    needs: ['mde.avHealth', 'mde.machines'],
    fix: 'Set antivirusEngine.enforcementLevel to real_time in mdatp_managed.json.',
    remediation: 'Set antivirusEngine.enforcementLevel to real_time in the managed configuration, or run `mdatp config real-time-protection --value enabled`.',
  },
  {
    id: 'mde-sensor-active',
    title: 'Onboarded devices report sensor data',
    severity: 'medium',
    status: 'failed',
    evaluated: 4,
    passed: 3,
    failed: 1,
    needs: ['mde.machines'],
  },
  {
    id: 'mde-signatures-up-to-date',
    title: 'Antivirus signatures are up to date',
    severity: 'medium',
    status: 'passed',
    evaluated: 4,
    passed: 4,
    failed: 0,
    needs: ['mde.avHealth'],
  },
  {
    id: 'xdr-roles-scoped-to-device-groups',
    title: 'Defender XDR roles for servers are scoped to device groups',
    severity: 'high',
    status: 'not-evaluated',
    evaluated: 0,
    passed: 0,
    failed: 0,
    needs: ['mde.machines', 'xdr.roleAssignments'],
    missing: ['xdr.roleAssignments'],
    reason: 'no file in the snapshot was recognised as an export of xdr.roleAssignments',
  },
];

const LINUX_01 = '7a3c5e1f9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f';
const LINUX_02 = 'c0ffee11d00dfeed5ca1ab1e0ddba11deadbeef0';
const WIN_01 = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

/** Deliberately out of order: the formatters must not depend on the order they are given. */
const RAW_FINDINGS: Omit<Finding, 'fingerprint'>[] = [
  {
    ruleId: 'mde-sensor-active',
    severity: 'medium',
    message: 'sensor health is Inactive',
    resource: { kind: 'mde.machines', id: WIN_01, name: 'mymachine1.contoso.com' },
    locations: [{ file: 'mde/machines.json', pointer: '/value/0' }],
  },
  {
    ruleId: 'linux-realtime-protection-on',
    severity: 'high',
    message: 'antivirus is passive (avMode "1"), so real-time protection is off',
    resource: { kind: 'mde.machines', id: LINUX_02, name: 'vm-linux-02.contoso.com' },
    locations: [
      { file: 'mde/machines.json', pointer: '/value/2' },
      { file: 'mde/deviceavinfo.json', pointer: '/value/2' },
    ],
  },
  {
    ruleId: 'defender-servers-plan-on',
    severity: 'critical',
    message: 'plan is Free in subscription 00000000-0000-0000-0000-000000000000',
    resource: {
      kind: 'defender.pricings',
      id: `${SUB}/providers/Microsoft.Security/pricings/VirtualMachines`,
      name: 'VirtualMachines',
    },
    locations: [{ file: 'defender/pricings.json', pointer: '/value/0' }],
  },
  {
    ruleId: 'linux-realtime-protection-on',
    severity: 'high',
    message: 'antivirus is passive (avMode "1"), so real-time protection is off',
    resource: { kind: 'mde.machines', id: LINUX_01, name: 'vm-linux-01.contoso.com' },
    locations: [
      { file: 'mde/machines.json', pointer: '/value/1' },
      { file: 'mde/deviceavinfo.json', pointer: '/value/1' },
    ],
  },
];

export const FINDINGS: Finding[] = RAW_FINDINGS.map((f) => ({ ...f, fingerprint: fingerprintOf(f.ruleId, f.resource) }));

export const DIAGNOSTICS: Diagnostic[] = [
  diagnostic('warning', 'export-schema', 'osBuild must be a number, found "18209"', {
    file: 'mde/machines.json',
    pointer: '/value/3/osBuild',
  }),
  diagnostic('error', 'json-syntax', "Expected ',' or '}' after property value in JSON", {
    file: 'graph/defender-role-assignments.json',
    position: { line: 14, column: 7 },
    pointer: '/value/1',
  }),
];

export function contosoReport(): Report {
  const summary = summarize(RULES, FINDINGS, DIAGNOSTICS);
  return {
    schemaVersion: '1.1',
    tool: { name: 'posture-lint', version: '0.1.0' },
    snapshot: {
      path: 'fixtures/snapshots/contoso',
      files: [
        { file: 'defender/pricings.json', kinds: ['defender.pricings'], records: 15 },
        { file: 'graph/defender-role-assignments.json', kinds: [], records: 0 },
        { file: 'mde/deviceavinfo.json', kinds: ['mde.avHealth'], records: 4 },
        { file: 'mde/machines.json', kinds: ['mde.machines'], records: 4 },
      ],
      facts: [{ name: 'xdrTenantId', declared: false }],
    },
    summary,
    rules: RULES,
    findings: sortFindings(FINDINGS),
    diagnostics: DIAGNOSTICS,
    gate: judge(FINDINGS, summary, DEFAULT_GATE),
    coverage: [
      { subscriptionId: '00000000-0000-0000-0000-000000000000', name: 'contoso-prod', vms: 4, onboarded: 3, realTimeProtection: 1, inDeviceGroup: 3 },
    ],
  };
}

/** The report's summary and gate verdict again, after a test changed its findings, rules or problems. */
export function refresh(report: Report): Report {
  report.summary = summarize(report.rules, report.findings, report.diagnostics);
  report.gate = judge(report.findings, report.summary, DEFAULT_GATE);
  return report;
}

export function formatContext(color: boolean): FormatContext {
  const rules = new Map<string, RuleMeta>(
    RULES.map((r) => [
      r.id,
      {
        id: r.id,
        title: r.title,
        severity: r.severity,
        description: r.title,
        references: [],
        tags: [],
        file: `${r.id}.yaml`,
      },
    ]),
  );
  return { rules, color };
}
