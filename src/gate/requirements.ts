/**
 * The manifest's `minChecked`: rules that must check at least so many records of this snapshot.
 * A rule that checked nothing is shown as such, not passed, but on an estate that has Linux servers
 * an empty Linux rule means broken data (a platform spelt in a way the rule does not know, a cut
 * export), and whoever took the snapshot can say so; then it fails the gate.
 */
import { diagnostic, type Diagnostic } from '../diagnostics';
import type { RuleResult } from '../report/model';
import type { ScopeRequirement } from '../snapshot/manifest';
import { didYouMean } from '../suggest';

export function checkScopeRequirements(requirements: readonly ScopeRequirement[], results: readonly RuleResult[]): Diagnostic[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const out: Diagnostic[] = [];
  for (const req of requirements) {
    const where = { file: req.file, position: req.position, ruleId: req.ruleId };
    const result = byId.get(req.ruleId);
    if (!result) {
      out.push(diagnostic('error', 'scope-below-minimum', `minChecked: rule '${req.ruleId}' must check at least ${req.min} record${req.min === 1 ? '' : 's'} but is not run${didYouMean(req.ruleId, byId.keys())}`, where));
    } else if (result.evaluated < req.min) {
      const what = result.status === 'not-evaluated' ? 'was not evaluated' : `checked ${result.evaluated} record${result.evaluated === 1 ? '' : 's'}`;
      out.push(diagnostic('error', 'scope-below-minimum', `minChecked: rule '${req.ruleId}' ${what}; the manifest requires at least ${req.min}`, where));
    }
  }
  return out;
}
