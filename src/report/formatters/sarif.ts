/**
 * SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run, a rule descriptor for every
 * rule run, one result per finding (suppressed ones marked, not dropped), and what kept the run from
 * checking everything as invocation notifications.
 */
import { cmp, compareDiagnostics, type Diagnostic } from '../../diagnostics';
import type { Finding, Formatter, Location, ResourceRef, RuleMeta, RuleResult, Severity, Suppression } from '../model';
import { sortFindings } from '../summary';
import { checkedNothingText, ciLevel, findingText, notEvaluatedText, rulesOf, snapshotFiles, suppressionText } from './ci';
import { LONE_SURROGATE } from '../text';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The uriBaseId of snapshot files: result URIs are relative to the snapshot folder. */
const SNAPSHOT = 'SNAPSHOT';
/** Versioned, so a future change of fingerprint can live beside this one. */
const FINGERPRINT = 'postureLint/v1';

/** GitHub code scanning ranks security alerts by this score: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

type InSnapshot = (file: string) => boolean;

interface Message {
  text: string;
  markdown?: string;
}

interface SarifLocation {
  id?: number;
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn: number };
  };
  logicalLocations?: { name?: string; fullyQualifiedName: string; kind: string }[];
  properties?: Record<string, string>;
}

/** A URI reference for a `/`-separated path: each segment percent-encoded, the separators kept. */
function uriOf(file: string): string {
  return file
    .split('/')
    .map((segment) => encodeURIComponent(segment.replace(LONE_SURROGATE, '\ufffd')))
    .join('/');
}

function artifactLocation(file: string, inSnapshot: InSnapshot): { uri: string; uriBaseId?: string } {
  // Rule, waiver and baseline files are named as the tool was given them, not below the snapshot.
  return inSnapshot(file) ? { uri: uriOf(file), uriBaseId: SNAPSHOT } : { uri: uriOf(file) };
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The rule's documentation as text and as markdown, from the same sections. */
function help(meta: RuleMeta | undefined, description: string): Message {
  const sections: [string, string][] = [];
  if (meta?.rationale) sections.push(['Why it matters', meta.rationale.trim()]);
  if (meta?.remediation) sections.push(['How to fix', meta.remediation.trim()]);
  const references = meta?.references ?? [];
  const text = [description, ...sections.map(([h, body]) => `${h}: ${body}`)];
  const markdown = [description, ...sections.map(([h, body]) => `**${h}**\n\n${body}`)];
  if (references.length > 0) {
    text.push(`References:\n${references.map((r) => `- ${r}`).join('\n')}`);
    markdown.push(`**References**\n\n${references.map((r) => `- <${r}>`).join('\n')}`);
  }
  return { text: text.join('\n\n'), markdown: markdown.join('\n\n') };
}

function ruleDescriptor(rule: RuleResult, meta: RuleMeta | undefined) {
  const description = meta?.description.trim() || rule.title;
  const references = meta?.references ?? [];
  // GitHub reads security-severity only for rules tagged `security`; every posture rule is one.
  const tags = [...new Set(['security', ...(meta?.tags ?? [])])].sort(cmp);
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: description },
    help: help(meta, description),
    ...(references.length > 0 ? { helpUri: references[0] } : {}),
    defaultConfiguration: { level: ciLevel(rule.severity) },
    properties: { tags, 'security-severity': SECURITY_SEVERITY[rule.severity] },
  };
}

function resourceLocation(resource: ResourceRef) {
  return { ...(resource.name !== undefined ? { name: resource.name } : {}), fullyQualifiedName: resource.id, kind: 'resource' };
}

/**
 * A record behind a finding, with the finding's resource on the primary location. SARIF has no JSON
 * pointer, so the pointer travels in the properties.
 */
function recordLocation(loc: Location | undefined, inSnapshot: InSnapshot, resource?: ResourceRef): SarifLocation {
  return {
    // The `snapshot` pseudo-file (the snapshot's description of itself) has no file to point at.
    ...(loc && inSnapshot(loc.file) ? { physicalLocation: { artifactLocation: artifactLocation(loc.file, inSnapshot) } } : {}),
    ...(resource ? { logicalLocations: [resourceLocation(resource)] } : {}),
    ...(loc ? { properties: { file: loc.file, pointer: loc.pointer } } : {}),
  };
}

function suppression(s: Suppression) {
  const details = { suppressionKind: s.kind, source: s.source, ...(s.owner ? { owner: s.owner } : {}), ...(s.expires ? { expires: s.expires } : {}) };
  return { kind: 'external', status: 'accepted', justification: suppressionText(s), properties: details };
}

function result(f: Finding, ruleIndex: number, inSnapshot: InSnapshot) {
  // The resource's own record is the primary location; joined records are related locations, so a
  // viewer that shows one location per result shows the right one.
  const [own, ...joined] = f.locations;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: ciLevel(f.severity),
    message: { text: findingText(f) },
    locations: [recordLocation(own, inSnapshot, f.resource)],
    ...(joined.length > 0 ? { relatedLocations: joined.map((loc, i) => ({ id: i + 1, ...recordLocation(loc, inSnapshot) })) } : {}),
    partialFingerprints: { [FINGERPRINT]: f.fingerprint },
    ...(f.suppression ? { suppressions: [suppression(f.suppression)] } : {}),
    properties: {
      severity: f.severity,
      resourceKind: f.resource.kind,
      resourceId: f.resource.id,
      ...(f.resource.name !== undefined ? { resourceName: f.resource.name } : {}),
    },
  };
}

function diagnosticLocation(d: Diagnostic & { file: string }, inSnapshot: InSnapshot): SarifLocation {
  const region = d.position ? { region: { startLine: d.position.line, startColumn: d.position.column } } : {};
  return {
    physicalLocation: { artifactLocation: artifactLocation(d.file, inSnapshot), ...region },
    ...(d.pointer !== undefined ? { properties: { pointer: d.pointer } } : {}),
  };
}

function executionNotification(d: Diagnostic, ruleIndex: ReadonlyMap<string, number>, inSnapshot: InSnapshot) {
  const index = d.ruleId === undefined ? undefined : ruleIndex.get(d.ruleId);
  return {
    level: d.severity,
    message: { text: d.message },
    descriptor: { id: d.code },
    ...(d.ruleId !== undefined ? { associatedRule: { id: d.ruleId, ...(index !== undefined ? { index } : {}) } } : {}),
    ...(d.file !== undefined ? { locations: [diagnosticLocation({ ...d, file: d.file }, inSnapshot)] } : {}),
  };
}

function configurationNotification(rule: RuleResult, index: number) {
  return {
    level: 'warning',
    message: { text: `rule ${rule.id} ${rule.status === 'checked-nothing' ? checkedNothingText(rule) : notEvaluatedText(rule)}` },
    descriptor: { id: rule.status },
    associatedRule: { id: rule.id, index },
    properties: { needs: rule.needs, missing: rule.missing ?? [] },
  };
}

export const sarif: Formatter = (report, context) => {
  const inSnapshot = snapshotFiles(report);
  const rules = rulesOf(report);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const diagnostics = [...report.diagnostics].sort(compareDiagnostics);
  const unchecked = rules.filter((r) => r.status === 'not-evaluated' || r.status === 'checked-nothing');
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: rules.map((r) => ruleDescriptor(r, context.rules.get(r.id))),
          },
        },
        originalUriBaseIds: {
          [SNAPSHOT]: { description: { text: `The snapshot folder, given to posture-lint as ${report.snapshot.path}; file locations are relative to it.` } },
        },
        invocations: [
          {
            executionSuccessful: !diagnostics.some((d) => d.severity === 'error'),
            // The gate's verdict: the exit code posture-lint returns, and why.
            exitCode: report.gate.exitCode,
            exitCodeDescription: report.gate.line,
            ...(diagnostics.length > 0 ? { toolExecutionNotifications: diagnostics.map((d) => executionNotification(d, ruleIndex, inSnapshot)) } : {}),
            ...(unchecked.length > 0 ? { toolConfigurationNotifications: unchecked.map((r) => configurationNotification(r, ruleIndex.get(r.id)!)) } : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        // rulesOf lists every rule a finding names, so each has an index.
        results: sortFindings(report.findings).map((f) => result(f, ruleIndex.get(f.ruleId)!, inSnapshot)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
