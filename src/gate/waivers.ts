/**
 * Waivers: accepted risks with a reason, an owner and an expiry. A waived finding stays in the
 * report, marked with its justification, and does not fail the run. An expired waiver applies to
 * nothing and is reported; so is a waiver that matches no finding (stale), so the file does not
 * rot into a list of blanket exceptions.
 */
import * as path from 'node:path';
import { RE2JS } from 're2js';
import { diagnostic, type Diagnostic, type Position } from '../diagnostics';
import { schemaValidator } from '../snapshot/validate';
import type { Finding } from '../report/model';
import { positionIn, readYamlDocument } from '../yaml-file';
import { didYouMean } from '../suggest';

interface Waiver {
  rule: string;
  resources: string[];
  justification: string;
  owner: string;
  expires: string;
  position: Position;
  /** One matcher per resource pattern; RE2, so a hostile pattern cannot stall the run. */
  matchers: RE2JS[];
}


/** `*` matches any run of characters; everything else is literal; case-insensitive. */
function globMatcher(pattern: string): RE2JS {
  const body = pattern.split('*').map((part) => RE2JS.quote(part)).join('.*');
  return RE2JS.compile(`^${body}$`, RE2JS.CASE_INSENSITIVE);
}

export async function loadWaivers(file: string, cwd: string): Promise<{ waivers: Waiver[]; source: string; diagnostics: Diagnostic[] }> {
  const source = path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/');
  const { yaml, diagnostics } = await readYamlDocument(path.resolve(cwd, file), source, {
    code: 'waivers-invalid',
    what: 'waivers file',
    kind: 'waivers',
    // Named directly: on the command line, or by a config whose paths are checked (src/config.ts).
    followLinks: true,
    validate: () => schemaValidator('schemas/waivers.schema.json'),
  });
  if (!yaml) return { waivers: [], source, diagnostics };
  const raw = (yaml.data as { waivers: Omit<Waiver, 'position' | 'matchers'>[] }).waivers;
  return {
    source,
    diagnostics: [],
    waivers: raw.map((w, i) => ({ ...w, position: positionIn(yaml, ['waivers', i]), matchers: w.resources.map(globMatcher) })),
  };
}

/**
 * Marks waived findings; reports expired and stale waivers as warnings at their line, and a waiver
 * for a rule that did not run (a misspelt id, with the closest one) as what it is, not as stale.
 */
export function applyWaivers(findings: Finding[], waivers: Waiver[], source: string, now: number, ruleIds: readonly string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const today = new Date(now).toISOString().slice(0, 10);
  const known = new Set(ruleIds);
  for (const w of waivers) {
    if (!known.has(w.rule)) {
      diagnostics.push(
        diagnostic('warning', 'waiver-unknown-rule', `waiver for ${w.rule} (${w.owner}): no rule '${w.rule}' ran${didYouMean(w.rule, known)}, so it waives nothing`, { file: source, position: w.position }),
      );
      continue;
    }
    const matches = findings.filter((f) => f.ruleId === w.rule && w.matchers.some((m) => m.matches(f.resource.id)));
    if (w.expires < today) {
      diagnostics.push(
        diagnostic('warning', 'waiver-expired', `waiver for ${w.rule} (${w.owner}) expired on ${w.expires}; ${matches.length === 1 ? 'the finding it matches counts' : `the ${matches.length} findings it matches count`} again`, { file: source, position: w.position }),
      );
      continue;
    }
    if (matches.length === 0) {
      diagnostics.push(diagnostic('warning', 'waiver-stale', `waiver for ${w.rule} (${w.owner}) matches no finding; remove it if the risk is gone`, { file: source, position: w.position }));
      continue;
    }
    for (const f of matches) {
      f.suppression ??= { kind: 'waiver', source, justification: w.justification, owner: w.owner, expires: w.expires };
    }
  }
  return diagnostics;
}
