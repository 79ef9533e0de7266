/**
 * SARIF 2.1.0 shaped for GitHub code scanning, which reads a subset of SARIF with its own rules
 * (docs "SARIF support for code scanning" and "SARIF results limits", the upload-sarif source):
 *
 * - An alert is matched across runs by rule, file path and `partialFingerprints.primaryLocationLineHash`.
 *   Export files change name and page from one export to the next, so a result's primary location is
 *   its resource, as a path (`<kind>/<id>`, ids case-folded) that is the same for as long as the
 *   resource is; the export record it was read from is a related location, linked from the message.
 * - Waived and baselined findings are left out: code scanning does not honour `suppressions`
 *   (github/codeql-action#1230), so they would be open alerts. `includeSuppressed` keeps them.
 * - GitHub shows the first 5,000 results of a run and rejects more than 25,000, so above 5,000 the
 *   findings of the largest rules are rolled up per subscription (or per resource kind), then per
 *   rule, until every failing rule fits; a notification says so.
 */
import { createHash } from 'node:crypto';
import { cmp, compareDiagnostics, type Diagnostic } from '../../diagnostics';
import type { ControlRef, FormatContext, Finding, Formatter, Location, Report, ResourceRef, RuleMeta, RuleResult, Severity, Suppression } from '../model';
import { sortFindings } from '../summary';
import { checkedNothingText, ciLevel, diagnosticPath, notEvaluatedText, repositoryPath, rulesOf, snapshotFiles, suppressionText } from './ci';
import { clip, LONE_SURROGATE, MAX_SHOWN_CHARS, visible } from '../text';
import { httpsUrl, inertMarkdown, markdownReference } from '../markup';
import { plural } from '../../words';
import { groupBy } from '../view';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Versioned, so a future change of fingerprint can live beside this one. */
const FINGERPRINT = 'postureLint/v1';
/** The only fingerprint key code scanning reads. */
const LINE_HASH = 'primaryLocationLineHash';
/** uriBaseId of files, relative to the repository root. */
const SRCROOT = '%SRCROOT%';
/** uriBaseId of the resource paths that are primary locations: not files. */
const RESOURCES = 'RESOURCES';

/**
 * GitHub code scanning's limits. Docs "SARIF results limits": at most 25,000 results per run, of
 * which the top 5,000 are shown; at most 1,000 locations per result, of which 100 are shown; at
 * most 20 tags per rule, of which 10 are shown. Docs "SARIF support for code scanning": a rule's
 * name holds 255 characters, its short and full descriptions 1,024 each; an upload holds 10 MB
 * gzipped.
 */
export const CODE_SCANNING = Object.freeze({
  shownResults: 5_000,
  maxResults: 25_000,
  shownLocations: 100,
  shownTags: 10,
  nameChars: 255,
  descriptionChars: 1_024,
  maxGzipBytes: 10 * 1024 * 1024,
});

/** GitHub code scanning ranks security alerts by this score: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

/** Where a finding's resource lives: one line of one artifact that does not exist as a file. */
const REGION = Object.freeze({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });

interface Message {
  text: string;
  markdown?: string;
}

interface SarifLocation {
  id?: number;
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
  };
  logicalLocations?: { name?: string; fullyQualifiedName: string; kind: string }[];
  message?: Message;
  properties?: Record<string, string>;
}

/** One URI segment, percent-encoded; `.` and `..` encoded too, so no path climbs out of its folder. */
function segment(text: string): string {
  const encoded = encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd'));
  return encoded === '.' ? '%2E' : encoded === '..' ? '%2E%2E' : encoded;
}

/** A URI reference for a `/`-separated path: each segment percent-encoded, the separators kept. */
function uriOf(file: string): string {
  return file.split('/').map(segment).join('/');
}

/** A Windows drive (`D:/`), which starts an absolute path as `/` does. */
const DRIVE = /^[A-Za-z]:(?=\/)/;

/** An artifact location for a file path from the repository root, or absolute when it lies outside. */
function fileLocation(file: string): { uri: string; uriBaseId?: string } {
  if (file.startsWith('/')) return { uri: `file://${uriOf(file)}` };
  const drive = DRIVE.exec(file);
  if (drive) return { uri: `file:///${drive[0]}${uriOf(file.slice(drive[0].length))}` };
  return { uri: uriOf(file.replace(/^(\.\/)+/, '')), uriBaseId: SRCROOT };
}

/** `<kind>/<id>` with the id case-folded as the finding's fingerprint folds it: one path per resource. */
function resourcePath(kind: string, id: string): string {
  return [kind, ...id.toLowerCase().replace(/^\/+/, '').split('/')].map(segment).join('/');
}

/**
 * SARIF message text: control characters and bidi overrides shown as escapes (code scanning shows
 * the text to people), and brackets and backslashes escaped, since `[text](id)` is a link (§3.11.6).
 */
function plain(text: string): string {
  return visible(clip(text, MAX_SHOWN_CHARS)).replace(/[\\[\]]/g, '\\$&');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * The rule's documentation as text and as markdown, from the same sections. Rule text may come from
 * a pull request, and code scanning renders `help.markdown`: it is inert Markdown, and references
 * are links only when they are https pages.
 */
function help(meta: RuleMeta | undefined, description: string): Message {
  const sections: [string, string][] = [];
  if (meta?.rationale) sections.push(['Why it matters', meta.rationale.trim()]);
  if (meta?.remediation) sections.push(['How to fix', meta.remediation.trim()]);
  const references = meta?.references ?? [];
  const text = [description, ...sections.map(([h, body]) => `${h}: ${body}`)];
  const markdown = [inertMarkdown(description), ...sections.map(([h, body]) => `**${h}**\n\n${inertMarkdown(body)}`)];
  if (references.length > 0) {
    text.push(`References:\n${references.map((r) => `- ${r}`).join('\n')}`);
    markdown.push(`**References**\n\n${references.map((r) => `- ${markdownReference(r)}`).join('\n')}`);
  }
  return { text: visible(text.join('\n\n')), markdown: markdown.join('\n\n') };
}

/** `mcsb/ES-2`, `cis-azure-3.0.0/3.1.3.3`: a control as a code-scanning tag (one word, no spaces). */
function controlTag(c: ControlRef): string {
  const [id, version] = c.framework.split('@');
  return id === 'cis-azure' ? `${id}-${version}/${c.id}` : `${id}/${c.id}`;
}

/**
 * `security` first (GitHub reads security-severity only for rules tagged so), then the controls of
 * the frameworks asked for with --framework, then the rule's own tags, then other controls: GitHub
 * shows the first 10 tags, so what the user asked about is never the part cut.
 */
function ruleTags(meta: RuleMeta | undefined, frameworks: readonly string[]): string[] {
  const chosen = (c: ControlRef) => frameworks.some((f) => c.framework === f || c.framework.startsWith(`${f}@`));
  const controls = meta?.controls ?? [];
  const own = [...new Set(meta?.tags ?? [])].filter((t) => t !== 'security').sort(cmp);
  const first = controls.filter(chosen).map(controlTag);
  const rest = controls.filter((c) => !chosen(c)).map(controlTag);
  return [...new Set(['security', ...first, ...own, ...rest])].slice(0, CODE_SCANNING.shownTags);
}

function ruleDescriptor(rule: RuleResult, meta: RuleMeta | undefined, frameworks: readonly string[]) {
  const description = meta?.description.trim() || rule.title;
  // Code scanning links the rule's name to helpUri: the first reference that is an https page, if any.
  const helpUri = (meta?.references ?? []).map(httpsUrl).find((u) => u !== undefined)?.href;
  const tags = ruleTags(meta, frameworks);
  const controls = (meta?.controls ?? []).map((c) => `${c.framework}:${c.id}`);
  return {
    id: rule.id,
    name: truncate(pascalCase(rule.id), CODE_SCANNING.nameChars),
    shortDescription: { text: truncate(visible(rule.title), CODE_SCANNING.descriptionChars) },
    fullDescription: { text: truncate(visible(description), CODE_SCANNING.descriptionChars) },
    help: help(meta, description),
    ...(helpUri !== undefined ? { helpUri } : {}),
    defaultConfiguration: { level: ciLevel(rule.severity) },
    // Every control, uncut, for tools that read more than GitHub's first 10 tags.
    properties: { tags, 'security-severity': SECURITY_SEVERITY[rule.severity], ...(controls.length > 0 ? { controls } : {}) },
  };
}

function resourceLocation(resource: ResourceRef) {
  return { ...(resource.name !== undefined ? { name: clip(resource.name, MAX_SHOWN_CHARS) } : {}), fullyQualifiedName: resource.id, kind: 'resource' };
}

function suppression(s: Suppression) {
  const details = { suppressionKind: s.kind, source: s.source, ...(s.owner ? { owner: s.owner } : {}), ...(s.expires ? { expires: s.expires } : {}) };
  return { kind: 'external', status: 'accepted', justification: suppressionText(s), properties: details };
}

/** A stable hash for an alert's identity, in the shape code scanning's own line hashes have. */
function lineHash(parts: string[]): string {
  return `${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16)}:1`;
}

interface Files {
  inSnapshot: (file: string) => boolean;
  inRepository: (file: string) => string;
  /** A diagnostic's file, snapshot or not, from the repository root. */
  ofDiagnostic: (file: string) => string;
}

/** `file#pointer`, the way every posture-lint format names a record. */
const recordName = (loc: Location) => `${loc.file}#${loc.pointer}`;

function result(f: Finding, ruleIndex: number, files: Files) {
  // Records in a file are related locations, the resource's own first (`[...](1)` in the message
  // links it); records of the snapshot's description of itself have no file to point at.
  const records = f.locations.filter((l) => files.inSnapshot(l.file)).slice(0, CODE_SCANNING.shownLocations - 1);
  const related = records.map((loc, i) => ({
    id: i + 1,
    physicalLocation: { artifactLocation: fileLocation(files.inRepository(loc.file)), region: { startLine: 1 } },
    message: { text: plain(`record ${loc.pointer}`) },
    properties: { file: loc.file, pointer: loc.pointer },
  }));
  const link = records.length > 0 ? ` Record: [${plain(recordName(records[0]))}](1).` : '';
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: ciLevel(f.severity),
    message: { text: `${plain(f.message)} (${plain(f.resource.id)})${link}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: resourcePath(f.resource.kind, f.resource.id), uriBaseId: RESOURCES }, region: REGION },
        logicalLocations: [resourceLocation(f.resource)],
      },
    ],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    partialFingerprints: { [LINE_HASH]: lineHash([f.fingerprint]), [FINGERPRINT]: f.fingerprint },
    ...(f.suppression ? { suppressions: [suppression(f.suppression)] } : {}),
    properties: {
      severity: f.severity,
      resourceKind: f.resource.kind,
      resourceId: f.resource.id,
      ...(f.resource.name !== undefined ? { resourceName: clip(f.resource.name, MAX_SHOWN_CHARS) } : {}),
      records: f.locations.slice(0, CODE_SCANNING.shownLocations).map(recordName),
    },
  };
}

/** Findings rolled up into one result: those of one rule in one scope, or all of one rule. */
interface Rollup {
  ruleId: string;
  severity: Severity;
  /** `/subscriptions/<id>` or a resource kind; undefined when the whole rule is one result. */
  scope?: string;
  findings: Finding[];
}

type Planned = { finding: Finding } | { rollup: Rollup };

/** A subscription for ARM ids below one, else the resource kind (MDE devices, Entra principals). */
function scopeOf(f: Finding): string {
  const sub = /^\/subscriptions\/[^/]+/i.exec(f.resource.id);
  return sub ? sub[0].toLowerCase() : f.resource.kind;
}

/**
 * One result per finding while they fit in what code scanning shows; beyond, the rules with most
 * findings are rolled up, each as far as needed: the largest cap c such that every rule with at most
 * c findings keeps them, every other rule with at most c scopes gets one result per scope, and the
 * rest one result each, fits. The plan depends on the findings only, so it is deterministic.
 */
function plan(findings: readonly Finding[], budget: number): { planned: Planned[]; rolledUp: { ruleId: string; findings: number; results: number }[] } {
  const byRule = [...groupBy(findings, (f) => f.ruleId).values()].map((list) => ({ list, scopes: groupBy(list, scopeOf) }));
  const cost = (c: number) => byRule.reduce((sum, r) => sum + (r.list.length <= c ? r.list.length : r.scopes.size <= c ? r.scopes.size : 1), 0);
  let cap = Math.max(0, ...byRule.map((r) => r.list.length));
  if (cost(cap) > budget) {
    let [low, high] = [1, cap];
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (cost(mid) <= budget) low = mid;
      else high = mid - 1;
    }
    cap = low;
  }
  const planned: Planned[] = [];
  const rolledUp: { ruleId: string; findings: number; results: number }[] = [];
  for (const { list, scopes } of byRule) {
    const [{ ruleId, severity }] = list;
    if (list.length <= cap) {
      for (const finding of list) planned.push({ finding });
      continue;
    }
    const groups = scopes.size <= cap ? [...scopes.entries()] : [[undefined, list] as const];
    for (const [scope, members] of groups) planned.push({ rollup: { ruleId, severity, ...(scope !== undefined ? { scope } : {}), findings: members } });
    rolledUp.push({ ruleId, findings: list.length, results: groups.length });
  }
  return { planned, rolledUp };
}

/** The sample of resources a rolled-up result names, to keep one result small. */
const ROLLUP_SAMPLE = 20;

function rollupResult(r: Rollup, ruleIndex: number) {
  const n = r.findings.length;
  const kinds = [...new Set(r.findings.map((f) => f.resource.kind))].sort(cmp);
  const where = r.scope === undefined ? '' : r.scope.startsWith('/') ? ` in ${r.scope}` : ` of kind ${r.scope}`;
  const first = r.findings[0];
  const text =
    `${plural(n, 'resource')}${where} ${n === 1 ? 'fails' : 'fail'} this rule; the first: ${first.message} (${first.resource.id}). ` +
    `GitHub code scanning shows ${CODE_SCANNING.shownResults.toLocaleString('en-US')} results of a run, so posture-lint rolled these findings up into one result; ` +
    `the json and junit reports of the same run list each of them.`;
  // The scope alone, not the kinds failing in it: a kind that starts failing there must not make it another alert.
  const uri = r.scope === undefined ? `posture-lint/${segment(r.ruleId)}` : r.scope.startsWith('/') ? uriOf(r.scope.slice(1)) : segment(r.scope);
  return {
    ruleId: r.ruleId,
    ruleIndex,
    level: ciLevel(r.severity),
    message: { text: plain(text) },
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: RESOURCES }, region: REGION } }],
    partialFingerprints: { [LINE_HASH]: lineHash([r.ruleId, 'rollup', r.scope ?? '']) },
    properties: {
      severity: r.severity,
      rolledUp: n,
      ...(r.scope !== undefined ? { scope: r.scope } : {}),
      resourceKinds: kinds,
      resources: r.findings.slice(0, ROLLUP_SAMPLE).map((f) => f.resource.id),
    },
  };
}

/**
 * A rule that could not run or checked nothing has no findings, so code scanning would close its
 * alerts as if fixed. One result per such rule keeps that visible as an alert of its own.
 */
function uncheckedResult(rule: RuleResult, ruleIndex: number) {
  const why = rule.status === 'checked-nothing' ? checkedNothingText(rule) : notEvaluatedText(rule);
  return {
    ruleId: rule.id,
    ruleIndex,
    level: 'warning',
    message: {
      text: plain(`rule ${rule.id} ${why}. Nothing was checked in this run, so its other alerts are closed without any resource having been checked.`),
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: `posture-lint/${segment(rule.id)}`, uriBaseId: RESOURCES }, region: REGION } }],
    partialFingerprints: { [LINE_HASH]: lineHash([rule.id, 'not-evaluated']) },
    properties: { status: rule.status, needs: rule.needs, missing: rule.missing ?? [] },
  };
}

function diagnosticLocation(d: Diagnostic & { file: string }, files: Files): SarifLocation {
  const region = d.position ? { region: { startLine: d.position.line, startColumn: d.position.column } } : {};
  return {
    physicalLocation: { artifactLocation: fileLocation(files.ofDiagnostic(d.file)), ...region },
    ...(d.pointer !== undefined ? { properties: { pointer: d.pointer } } : {}),
  };
}

function executionNotification(d: Diagnostic, ruleIndex: ReadonlyMap<string, number>, files: Files) {
  const index = d.ruleId === undefined ? undefined : ruleIndex.get(d.ruleId);
  return {
    level: d.severity,
    message: { text: d.message },
    descriptor: { id: d.code },
    ...(d.ruleId !== undefined ? { associatedRule: { id: d.ruleId, ...(index !== undefined ? { index } : {}) } } : {}),
    ...(d.file !== undefined ? { locations: [diagnosticLocation({ ...d, file: d.file }, files)] } : {}),
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

function rollupNotification(rolledUp: { ruleId: string; findings: number; results: number }[], total: number) {
  const rules = rolledUp.map((r) => `${r.ruleId} (${plural(r.findings, 'finding')} as ${plural(r.results, 'result')})`).join(', ');
  return {
    level: 'note',
    message: {
      text:
        `${total} findings are more than the ${CODE_SCANNING.shownResults} results GitHub code scanning shows of a run, so these rules' findings are rolled up ` +
        `per subscription or resource kind, or per rule: ${rules}. Every other finding is its own result; the json and junit reports list all of them.`,
    },
    descriptor: { id: 'results-rolled-up' },
  };
}

export const sarif: Formatter = (report: Report, context: FormatContext) => {
  const files: Files = { inSnapshot: snapshotFiles(report), inRepository: repositoryPath(report, context), ofDiagnostic: diagnosticPath(report, context) };
  const rules = rulesOf(report);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const diagnostics = [...report.diagnostics].sort(compareDiagnostics);
  const unchecked = rules.filter((r) => r.status === 'not-evaluated' || r.status === 'checked-nothing');
  const findings = sortFindings(report.findings).filter((f) => context.includeSuppressed || !f.suppression);
  const { planned, rolledUp } = plan(findings, CODE_SCANNING.shownResults - unchecked.length);
  // rulesOf lists every rule a finding names, so each has an index.
  const results = [
    ...planned.map((p) => ('finding' in p ? result(p.finding, ruleIndex.get(p.finding.ruleId)!, files) : rollupResult(p.rollup, ruleIndex.get(p.rollup.ruleId)!))),
    ...unchecked.map((r) => uncheckedResult(r, ruleIndex.get(r.id)!)),
  ];
  const notifications = [
    ...diagnostics.map((d) => executionNotification(d, ruleIndex, files)),
    ...(rolledUp.length > 0 ? [rollupNotification(rolledUp, findings.length)] : []),
  ];
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: rules.map((r) => ruleDescriptor(r, context.rules.get(r.id), context.frameworks ?? [])),
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The repository root: export files are named from it.' } },
          [RESOURCES]: {
            description: {
              text: `Not files: each finding is located at its resource, <kind>/<id>, so an alert stays one alert across re-exports. The records behind it are related locations in the snapshot ${report.snapshot.path}.`,
            },
          },
        },
        invocations: [
          {
            executionSuccessful: !diagnostics.some((d) => d.severity === 'error'),
            // The gate's verdict: the exit code posture-lint returns, and why.
            exitCode: report.gate.exitCode,
            exitCodeDescription: report.gate.line,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
            ...(unchecked.length > 0 ? { toolConfigurationNotifications: unchecked.map((r) => configurationNotification(r, ruleIndex.get(r.id)!)) } : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
        properties: {
          findings: findings.length,
          suppressedLeftOut: context.includeSuppressed ? 0 : report.findings.length - findings.length,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
