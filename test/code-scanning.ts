/**
 * What GitHub code scanning accepts and shows of a SARIF upload, as a checker the tests run on
 * every SARIF posture-lint writes. Sources:
 * - docs "SARIF support for code scanning" (github/docs, content/code-security/code-scanning/
 *   integrating-with-code-scanning/sarif-support-for-code-scanning.md): required properties (no empty
 *   strings), `physicalLocation.artifactLocation.uri` and `region.startLine` required, relative URIs
 *   resolved from the repository root and absolute ones only with the checkout's `file` scheme,
 *   rule name ≤ 255 and descriptions ≤ 1,024 characters, uploads ≤ 10 MB gzipped, only
 *   `partialFingerprints.primaryLocationLineHash` used;
 * - docs "SARIF results limits" (data/reusables/code-scanning/sarif-limits.md): ≤ 20 runs per file,
 *   ≤ 25,000 results per run of which the top 5,000 are shown, ≤ 25,000 rules, ≤ 1,000 locations per
 *   result of which 100 are shown, ≤ 20 tags per rule of which 10 are shown;
 * - github/codeql-action src/upload-lib.ts: uploads rejected with "locationFromSarifResult: expected
 *   artifact location" or "could not convert rules: invalid security severity value, is not a number";
 * - github/codeql-action#1230: `suppressions` are not honoured, so a suppressed result is an open alert.
 */
import { gzipSync } from 'node:zlib';

interface Loc {
  physicalLocation?: { artifactLocation?: { uri?: unknown }; region?: { startLine?: unknown } };
}

interface Log {
  $schema?: unknown;
  version?: unknown;
  runs?: {
    tool?: { driver?: { name?: unknown; rules?: { id?: unknown; name?: string; shortDescription?: { text?: unknown }; fullDescription?: { text?: unknown }; help?: { text?: unknown }; properties?: { tags?: unknown[]; 'security-severity'?: unknown } }[] } };
    results?: { ruleId?: unknown; message?: { text?: unknown }; locations?: Loc[]; relatedLocations?: Loc[]; partialFingerprints?: Record<string, unknown>; suppressions?: unknown[] }[];
  }[];
}

export const LIMITS = { runs: 20, results: 25_000, shownResults: 5_000, rules: 25_000, locations: 1_000, shownLocations: 100, tags: 20, shownTags: 10, nameChars: 255, descriptionChars: 1_024, gzipBytes: 10 * 1024 * 1024 };

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function locationProblems(where: string, loc: Loc | undefined): string[] {
  const uri = loc?.physicalLocation?.artifactLocation?.uri;
  const problems: string[] = [];
  if (!nonEmpty(uri)) problems.push(`${where}: no physicalLocation.artifactLocation.uri`);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('file://')) problems.push(`${where}: URI scheme other than the checkout's file scheme: ${uri}`);
  const line = loc?.physicalLocation?.region?.startLine;
  if (!(typeof line === 'number' && Number.isInteger(line) && line >= 1)) problems.push(`${where}: no region.startLine`);
  return problems;
}

/** Every way the text breaks an upload or hides something; `shown` also requires every result to be shown. */
export function codeScanningProblems(text: string, options: { shown?: boolean } = {}): string[] {
  const problems: string[] = [];
  const gz = gzipSync(Buffer.from(text, 'utf8')).length;
  if (gz > LIMITS.gzipBytes) problems.push(`gzipped size ${gz} over 10 MB`);
  const log = JSON.parse(text) as Log;
  if (!nonEmpty(log.$schema)) problems.push('no $schema');
  if (log.version !== '2.1.0') problems.push('version is not 2.1.0');
  const runs = log.runs ?? [];
  if (runs.length < 1 || runs.length > LIMITS.runs) problems.push(`${runs.length} runs`);
  runs.forEach((run, r) => {
    const rules = run.tool?.driver?.rules;
    if (!nonEmpty(run.tool?.driver?.name)) problems.push(`run ${r}: no tool.driver.name`);
    if (!Array.isArray(rules)) problems.push(`run ${r}: no tool.driver.rules`);
    if ((rules ?? []).length > LIMITS.rules) problems.push(`run ${r}: ${rules!.length} rules`);
    for (const rule of rules ?? []) {
      const id = String(rule.id);
      if (!nonEmpty(rule.id)) problems.push('a rule has no id');
      if (!nonEmpty(rule.shortDescription?.text) || String(rule.shortDescription?.text).length > LIMITS.descriptionChars) problems.push(`rule ${id}: shortDescription.text missing or over 1,024 characters`);
      if (!nonEmpty(rule.fullDescription?.text) || String(rule.fullDescription?.text).length > LIMITS.descriptionChars) problems.push(`rule ${id}: fullDescription.text missing or over 1,024 characters`);
      if (!nonEmpty(rule.help?.text)) problems.push(`rule ${id}: no help.text`);
      if ((rule.name ?? '').length > LIMITS.nameChars) problems.push(`rule ${id}: name over 255 characters`);
      const tags = rule.properties?.tags ?? [];
      if (tags.length > LIMITS.shownTags) problems.push(`rule ${id}: ${tags.length} tags, GitHub keeps 10`);
      const severity = rule.properties?.['security-severity'];
      if (severity !== undefined && !(typeof severity === 'string' && Number(severity) > 0 && Number(severity) <= 10)) problems.push(`rule ${id}: security-severity ${String(severity)} is no number in (0, 10]`);
      if (severity !== undefined && !tags.includes('security')) problems.push(`rule ${id}: security-severity without the security tag`);
    }
    const results = run.results;
    if (!Array.isArray(results)) problems.push(`run ${r}: no results`);
    const max = options.shown ? LIMITS.shownResults : LIMITS.results;
    if ((results ?? []).length > max) problems.push(`run ${r}: ${results!.length} results, over ${max}`);
    (results ?? []).forEach((res, i) => {
      const where = `run ${r} result ${i}`;
      if (!nonEmpty(res.message?.text)) problems.push(`${where}: no message.text`);
      if (!nonEmpty(res.ruleId)) problems.push(`${where}: no ruleId`);
      const locations = res.locations ?? [];
      if (locations.length === 0) problems.push(`${where}: no locations`);
      problems.push(...locationProblems(`${where} location 0`, locations[0]));
      (res.relatedLocations ?? []).forEach((loc, j) => problems.push(...locationProblems(`${where} related ${j}`, loc)));
      const count = locations.length + (res.relatedLocations ?? []).length;
      if (count > (options.shown ? LIMITS.shownLocations : LIMITS.locations)) problems.push(`${where}: ${count} locations`);
      if (!nonEmpty(res.partialFingerprints?.primaryLocationLineHash)) problems.push(`${where}: no partialFingerprints.primaryLocationLineHash`);
      if (res.suppressions !== undefined) problems.push(`${where}: suppressions, which code scanning ignores`);
    });
  });
  return problems;
}

/** What code scanning matches an alert by: rule, file path, start line and primaryLocationLineHash. */
export function alertIdentities(text: string): string[] {
  const log = JSON.parse(text) as Log;
  return (log.runs?.[0]?.results ?? [])
    .map((r) => {
      const loc = r.locations?.[0]?.physicalLocation;
      return [r.ruleId, loc?.artifactLocation?.uri, loc?.region?.startLine, r.partialFingerprints?.primaryLocationLineHash].join(' ');
    })
    .sort();
}
