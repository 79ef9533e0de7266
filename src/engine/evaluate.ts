/**
 * Runs compiled rules over a snapshot. A rule whose inputs are absent is reported as not
 * evaluated, with what it needs; otherwise every record (or group) that passes `where` is
 * checked, and each one that fails the assertion becomes a finding.
 */
import type { Collection, InputGap, Snapshot, SnapshotRecord } from '../snapshot/types';
import { FACTS } from '../snapshot/facts';
import type { Finding, Location, ResourceRef, RuleResult } from '../report/model';
import type { CompiledJoin, CompiledLet, CompiledRule, EvalContext } from '../rules/types';
import { Bound, elements, resolveBound, resolvePath } from '../rules/path';
import { selectElements } from '../rules/conditions';
import { CUT_MARK, MAX_RENDERED_CHARS, renderTemplate, type Template, type TemplateValues } from '../rules/template';
import { exportKind } from '../snapshot/kinds';
import { SELF_FILE } from '../snapshot/self';
import { createHash } from 'node:crypto';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { Budget, BudgetExceeded, UNLIMITED } from './budget';
import { JoinChoices, JoinIndexes, joinKey, namesOf } from './joins';
import { identityOf, Resources, type CollectionResources } from './resources';
import type { ProgressSink } from '../progress';

/** A rule not evaluated for incomplete inputs names this many of the files at most (the diagnostics name all). */
const MAX_GAPS_NAMED = 5;

/** A grouped finding points at this many of its records at most. */
const MAX_GROUP_LOCATIONS = 20;

/** A group, or the whole collection, checked as one record. */
interface Subject {
  data: unknown;
  origins: Location[];
  /** Identity when the rule does not template one (worked out only for findings). */
  identity: () => ResourceRef;
}

export interface EvaluationResult {
  results: RuleResult[];
  findings: Finding[];
  /** Rules stopped by their evaluation budget or an error, and records of one resource that disagree. */
  diagnostics: Diagnostic[];
}

/** Which joins count: those the rule needs present, those whose records can turn a verdict, or every one it reads. */
type JoinsCounted = 'required' | 'evidence' | 'all';

function collectionsOf(joins: readonly CompiledJoin[], counted: JoinsCounted, out: Set<string>): Set<string> {
  for (const j of joins) {
    if ((counted === 'required' && !j.required) || (counted === 'evidence' && j.presentation)) continue;
    out.add(j.from);
    collectionsOf(j.joins, counted, out);
  }
  return out;
}

function howToGet(collection: string): string {
  const kind = exportKind(collection);
  return kind ? `${collection} (${kind.title}: ${kind.howToExport})` : collection;
}

/** Which inputs the rule lacks, or undefined when it can run. */
function missingInputs(rule: CompiledRule, snapshot: Snapshot): string[] | undefined {
  const missing: string[] = [];
  // An export whose files all failed is there, but incomplete: incompleteInputs says so, naming them.
  const has = (c: string) => snapshot.collections.has(c) || snapshot.incomplete.has(c);
  const alternatives = new Set(rule.requiresAny);
  const required = new Set<string>(rule.from.length === 1 ? rule.from : []);
  if (rule.from.length > 1 && !rule.from.some(has)) missing.push(`one of: ${rule.from.map(howToGet).join('; ')}`);
  for (const j of rule.joins) {
    if (!j.required || alternatives.has(j.name)) continue;
    required.add(j.from);
    collectionsOf(j.joins, 'required', required);
  }
  for (const c of [...required].sort(cmp)) if (!has(c)) missing.push(howToGet(c));
  if (alternatives.size > 0) {
    const alt = rule.joins.filter((j) => alternatives.has(j.name)).map((j) => j.from);
    if (!alt.some(has)) missing.push(`one of: ${alt.map(howToGet).join('; ')}`);
  }
  for (const f of rule.facts) {
    const fact = snapshot.facts.get(f);
    if (fact?.value !== undefined) continue;
    missing.push(
      fact?.conflicting?.length
        ? `fact ${f} (the exports disagree: ${fact.conflicting.join(', ')})`
        : `fact ${f} (declare it in snapshot.yaml under facts, or export data that carries it)`,
    );
  }
  return missing.length ? missing : undefined;
}

/**
 * The inputs a rule reads that may lack records (a page lost, a file unparsable, records dropped),
 * each with the files that say so; undefined when none. Every collection counts, optional joins
 * and nested joins included: a record on a lost page can turn any verdict. Presentation joins do
 * not: only templates read them (src/rules/references.ts), so a lost page loses a name, not a
 * verdict. A file whose kind cannot be told may have held records of any collection, so it stops
 * every rule.
 */
function incompleteInputs(rule: CompiledRule, snapshot: Snapshot): string[] | undefined {
  const reads = collectionsOf(rule.joins, 'evidence', new Set(rule.from));
  for (const f of rule.facts) {
    if (snapshot.facts.get(f)?.declared === true) continue;
    for (const source of FACTS.find((d) => d.name === f)?.sources ?? []) reads.add(source.collection);
  }
  const gapsOf = (gaps: readonly InputGap[]) => {
    const named = gaps.slice(0, MAX_GAPS_NAMED).map((g) => `${g.file} (${g.code})`).join(', ');
    return gaps.length > MAX_GAPS_NAMED ? `${named} and ${gaps.length - MAX_GAPS_NAMED} more` : named;
  };
  const out: string[] = [];
  for (const c of [...reads].sort(cmp)) {
    const gaps = snapshot.incomplete.get(c);
    if (gaps !== undefined) out.push(`${c} is incomplete: ${gapsOf(gaps)}`);
  }
  if (snapshot.unattributed.length > 0) out.push(`any export may be incomplete: the kind of ${gapsOf(snapshot.unattributed)} cannot be told`);
  return out.length > 0 ? out : undefined;
}

export function ruleNeeds(rule: CompiledRule): string[] {
  const needs = collectionsOf(rule.joins, 'all', new Set(rule.from));
  return [...needs, ...rule.facts.map((f) => `fact:${f}`)].sort(cmp);
}

/** Groups of records sharing a key (compared case-insensitively); the first spelling names the group. */
function groupSubjects(rule: CompiledRule, coll: Collection): Subject[] {
  const groups = new Map<string, { key: unknown; items: SnapshotRecord[] }>();
  for (const r of coll.records) {
    for (const k of elements(resolvePath(rule.groupBy!, r.data))) {
      const norm = joinKey(k);
      if (norm === undefined) continue;
      const g = groups.get(norm);
      if (g) g.items.push(r);
      else groups.set(norm, { key: k, items: [r] });
    }
  }
  return [...groups.keys()].sort(cmp).map((norm) => {
    const g = groups.get(norm)!;
    return {
      data: { key: g.key, items: g.items.map((r) => r.data) },
      origins: originsOf(g.items),
      identity: () => ({ kind: `${coll.name}#${rule.groupBy!.text}`, id: String(g.key) }),
    };
  });
}

/**
 * Where a group's records are, at most MAX_GROUP_LOCATIONS of them. Records the snapshot makes about
 * itself are in no file: they are one location, their collection (`snapshot#/snapshot.exports`),
 * not one pseudo-location per export kind.
 */
function originsOf(records: readonly SnapshotRecord[]): Location[] {
  const out: Location[] = [];
  const self = new Set<string>();
  for (const r of records) {
    if (out.length >= MAX_GROUP_LOCATIONS) break;
    if (r.origin.file !== SELF_FILE) out.push(r.origin);
    else if (!self.has(r.collection)) {
      self.add(r.collection);
      out.push({ file: SELF_FILE, pointer: `/${r.collection}` });
    }
  }
  return out;
}

/** The whole collection as one subject, for rules that count or compare across all records. */
function wholeSubject(coll: Collection): Subject {
  return {
    data: { key: coll.name, items: coll.records.map((r) => r.data) },
    origins: originsOf(coll.records),
    identity: () => ({ kind: 'collection', id: coll.name }),
  };
}

function snapshotRecords(snapshot: Snapshot): number {
  let n = 0;
  for (const c of snapshot.collections.values()) n += c.records.length;
  return n;
}

/** One subject per resource (see resources.ts), with the records that disagree with its first. */
function recordSubjects(resources: CollectionResources): Subjects {
  const { collection, first, repeated } = resources;
  return {
    count: first.length,
    data: (i) => first[i].data,
    variants(i) {
      const repeats = repeated.get(i);
      return repeats !== undefined && repeats.records.length > 1 ? repeats.records.slice(1).map((v) => v.data) : undefined;
    },
    origins: (i) => repeated.get(i)?.origins ?? [first[i].origin],
    identity: (i) => identityOf(collection, first[i]),
  };
}

/**
 * A rule's subjects by position. What is checked is read per subject; where a subject is and what
 * it is only for those that fail: an object per device for every rule would be garbage to collect.
 */
interface Subjects {
  count: number;
  data(i: number): unknown;
  /** Other records of the same resource that disagree with `data(i)`: each is checked too. */
  variants(i: number): unknown[] | undefined;
  origins(i: number): Location[];
  identity(i: number): ResourceRef;
}

function listed(subjects: Subject[]): Subjects {
  return {
    count: subjects.length,
    data: (i) => subjects[i].data,
    variants: () => undefined,
    origins: (i) => subjects[i].origins,
    identity: (i) => subjects[i].identity(),
  };
}

/**
 * A resource whose records disagree, or whose joins match records that disagree, fails if any
 * alternative fails, and is checked if any is: each of its records is checked with each combination
 * of the records its ambiguous joins match (JoinChoices), each combination paid for from the budget.
 */
function checkVariants(rule: CompiledRule, scope: Bound, data: unknown, variants: readonly unknown[] | undefined, indexes: JoinIndexes, ctx: EvalContext, choices: JoinChoices): Outcome {
  let outcome: Outcome = 'skipped';
  choices.reset();
  for (let v = -1; v < (variants?.length ?? 0); v++) {
    const record = v < 0 ? data : variants![v];
    for (;;) {
      const next = checkSubject(rule, scope.reuse(record), indexes, ctx, choices);
      if (typeof next === 'object') return next;
      if (next !== 'skipped') outcome = next;
      if (!choices.advance()) break;
      ctx.budget.spend(1);
    }
  }
  return outcome;
}

/** What a rule's result says when it is not evaluated: the inputs it lacks, or undefined when it can run. */
function notEvaluated(rule: CompiledRule, snapshot: Snapshot, base: RuleBase): RuleResult | undefined {
  const missing = missingInputs(rule, snapshot);
  const incomplete = incompleteInputs(rule, snapshot);
  if (!missing && !incomplete) return undefined;
  const reason = missing ? 'the snapshot lacks inputs this rule needs' : 'inputs this rule reads are incomplete, so no verdict would be sound';
  return { ...base, status: 'not-evaluated', evaluated: 0, passed: 0, failed: 0, missing: [...(missing ?? []), ...(incomplete ?? [])], reason };
}

type RuleBase = Pick<RuleResult, 'id' | 'title' | 'severity' | 'needs'>;

/**
 * One rule under evaluation: its subjects, how far it got, what it found, and why it stopped if it
 * did. Subjects are checked one at a time, by this rule alone or in a pass shared with other rules.
 */
class RuleRun {
  evaluated = 0;
  failed = 0;
  readonly findings: Finding[] = [];
  /** What stopped the rule (its budget ran out, or data too deep to walk); nothing is checked after it. */
  stoppedBy: { error: unknown } | undefined;
  readonly total: number;
  private readonly ctx: EvalContext;
  private readonly values: TemplateValues;
  /** The combinations of ambiguous joins' records, reset for each subject (one per rule, not one per record). */
  private readonly choices = new JoinChoices();
  /**
   * The scope each subject is checked in, binding its joins', then its lets' names: one per rule,
   * reused (a failed subject's finding is rendered from it before the next is checked).
   */
  private readonly scope: Bound;

  constructor(
    readonly rule: CompiledRule,
    readonly base: RuleBase,
    readonly sources: readonly Subjects[],
    ctx: EvalContext,
    budget: Budget,
    private readonly indexes: JoinIndexes,
  ) {
    this.total = sources.reduce((n, s) => n + s.count, 0);
    this.values = { params: rule.params, facts: ctx.facts };
    this.ctx = { ...ctx, budget };
    const joinCount = rule.joins.length;
    this.scope = new Bound(undefined, [...namesOf(rule.joins), ...rule.lets.map((l) => l.name)]).deferWith((scope, position) =>
      letValue(rule.lets[position - joinCount], scope, this.ctx),
    );
  }

  /** Checks subject `i` of `source`. */
  check(source: Subjects, i: number): void {
    try {
      const { rule, indexes, ctx } = this;
      const outcome = checkVariants(rule, this.scope, source.data(i), source.variants(i), indexes, ctx, this.choices);
      if (outcome === 'skipped') return;
      // A failed subject's finding, and the lets it reads, are part of its check: one that cannot be
      // worked out (budget, data too deep) stops the rule with this subject uncounted.
      const finding = outcome === 'passed' ? undefined : findingOf(rule, outcome, source, i, this.values);
      this.evaluated++;
      if (finding === undefined) return;
      this.failed++;
      this.findings.push(finding);
    } catch (e) {
      // One rule that cannot finish is reported and fails the run; it never takes the other rules'
      // results down with it.
      this.stoppedBy = { error: e };
    }
  }

  /** Checks every subject, source by source. */
  checkAll(): void {
    for (const source of this.sources) for (let i = 0; i < source.count && this.stoppedBy === undefined; i++) this.check(source, i);
  }

  /** The rule's result; its findings and diagnostics go to `out`. */
  finish(out: EvaluationResult): RuleResult {
    const { rule, base, evaluated, failed } = this;
    if (this.stoppedBy !== undefined) {
      const e = this.stoppedBy.error;
      const budget = e instanceof BudgetExceeded;
      const why = budget
        ? `${(e as Error).message} (after ${evaluated} of ${this.total} records); a join or quantifier visits far more records than the snapshot holds`
        : `${e instanceof Error ? e.message : String(e)} (after ${evaluated} of ${this.total} records)`;
      out.diagnostics.push(
        diagnostic('error', budget ? 'rule-budget' : 'rule-error', `rule ${rule.meta.id} stopped: ${why}`, { file: rule.meta.file, ruleId: rule.meta.id }),
      );
      return { ...base, status: 'not-evaluated', evaluated: 0, passed: 0, failed: 0, reason: budget ? 'stopped by the evaluation budget' : 'stopped by an error' };
    }
    for (const f of this.findings) out.findings.push(f);
    const cut = this.findings.filter((f) => f.message.endsWith(CUT_MARK)).length;
    if (cut > 0) {
      const message = `rule ${rule.meta.id}: the message of ${cut} finding${cut === 1 ? '' : 's'} was cut at ${MAX_RENDERED_CHARS.toLocaleString('en-US')} characters; shorten the template`;
      out.diagnostics.push(diagnostic('warning', 'message-cut', message, { file: rule.meta.file, ruleId: rule.meta.id }));
    }
    // No record in scope proves nothing: say so rather than pass.
    const status = failed > 0 ? 'failed' : evaluated === 0 ? 'checked-nothing' : 'passed';
    return { ...base, status, evaluated, passed: evaluated - failed, failed };
  }
}

/** The run of a rule that can be evaluated, or its result when it cannot. */
function startRule(rule: CompiledRule, snapshot: Snapshot, resources: Resources, indexes: JoinIndexes, ctx: EvalContext, budgetOf: (ruleId: string) => Budget): RuleRun | RuleResult {
  const base = { id: rule.meta.id, title: rule.meta.title, severity: rule.meta.severity, needs: ruleNeeds(rule) };
  const skipped = notEvaluated(rule, snapshot, base);
  if (skipped) return skipped;
  const sources: Subjects[] = [];
  for (const name of rule.from) {
    const coll = snapshot.collections.get(name);
    if (!coll) continue;
    sources.push(rule.aggregate ? listed([wholeSubject(coll)]) : rule.groupBy ? listed(groupSubjects(rule, coll)) : recordSubjects(resources.of(name)));
  }
  return new RuleRun(rule, base, sources, ctx, budgetOf(rule.meta.id), indexes);
}

/**
 * The collection a rule checks record by record in a pass shared with other rules, or undefined.
 * Such a rule reads one collection and joins without nested joins, so what it reads and in which
 * order (its findings, where its budget stops it) is the same as in a pass of its own.
 */
function sharedPassOf(rule: CompiledRule): string | undefined {
  return rule.from.length === 1 && !rule.aggregate && !rule.groupBy && rule.joins.every((j) => j.joins.length === 0) ? rule.from[0] : undefined;
}

/**
 * Runs rules that share a pass over one collection: each record is read once for all of them,
 * while it is in the processor's cache, instead of once per rule from memory.
 */
function sharedPass(runs: readonly RuleRun[]): void {
  const count = runs[0].sources[0].count;
  for (let i = 0; i < count; i++) {
    for (const run of runs) if (run.stoppedBy === undefined) run.check(run.sources[0], i);
  }
}

/** A subject that fails is its scope (record, joins and lets), from which its finding is rendered. */
type Outcome = 'skipped' | 'passed' | Bound;

/** Joins, lets, where and assert for one subject, in `scope` (bound to the subject's record, nothing else yet). */
function checkSubject(rule: CompiledRule, scope: Bound, indexes: JoinIndexes, ctx: EvalContext, choices: JoinChoices): Outcome {
  indexes.attach(rule.joins, scope, ctx, choices);
  // Worked out when first read (letValue): most lets serve a message, read only for the records that fail.
  for (let k = 0; k < rule.lets.length; k++) scope.bindDeferred();
  if (rule.where && !rule.where(scope, ctx)) return 'skipped';
  return rule.assert(scope, ctx) ? 'passed' : scope;
}

/** A let's list in `scope`. A let over a list that is not there is not there either, so counting it fails. */
function letValue(l: CompiledLet, scope: Bound, ctx: EvalContext): unknown {
  const list = resolveBound(l.select, scope, ctx.budget);
  return list === undefined || list === null ? undefined : selectElements(elements(list), scope, ctx, l);
}

/** The finding of subject `i`, which failed with `scope`. */
function findingOf(rule: CompiledRule, scope: Bound, subjects: Subjects, i: number, values: TemplateValues): Finding {
  const render = (t: Template | undefined) => (t ? renderTemplate(t, scope, values) : undefined);
  let own: ResourceRef | undefined;
  const identity = () => (own ??= subjects.identity(i));
  const resource: ResourceRef = {
    kind: render(rule.resource.kind) || identity().kind,
    id: render(rule.resource.id) || identity().id,
  };
  const name = render(rule.resource.name) || identity().name;
  if (name) resource.name = name;
  return {
    ruleId: rule.meta.id,
    severity: rule.meta.severity,
    message: render(rule.message)!,
    resource,
    locations: subjects.origins(i),
    fingerprint: fingerprintOf(rule.meta.id, resource),
  };
}

/**
 * Rule id + resource kind + resource id (case-folded: ARM ids change case between sources). No
 * message, file or position: those change when an unchanged estate is exported again.
 */
export function fingerprintOf(ruleId: string, resource: ResourceRef): string {
  return createHash('sha256').update(`${ruleId}\u0000${resource.kind}\u0000${resource.id.toLowerCase()}`).digest('hex').slice(0, 32);
}

/** Each rule's budget, from the records of the snapshot (tests pass their own to read the steps a rule spent). */
export type BudgetFor = (ruleId: string, records: number) => Budget;

export function evaluate(
  rules: readonly CompiledRule[],
  snapshot: Snapshot,
  now: number,
  budgetFor: BudgetFor = (_id, records) => Budget.forRecords(records),
  progress?: ProgressSink,
): EvaluationResult {
  const facts = new Map<string, string>();
  for (const [name, fact] of snapshot.facts) if (fact.value !== undefined) facts.set(name, fact.value);
  // Index filters are linear in their collection; rules' own work is budgeted per rule.
  const ctx: EvalContext = { facts, now, budget: UNLIMITED };
  const resources = new Resources(snapshot.collections);
  const indexes = new JoinIndexes(resources, ctx);
  const out: EvaluationResult = { results: [], findings: [], diagnostics: [] };
  const records = snapshotRecords(snapshot);
  const budgetOf = (ruleId: string) => budgetFor(ruleId, records);
  progress?.({ rules: rules.length });
  /** Runs of rules evaluated in a shared pass ahead of their turn; finished in rule order. */
  const ahead = new Map<CompiledRule, RuleRun | RuleResult>();
  for (const r of rules) {
    let run = ahead.get(r);
    if (run === undefined) {
      run = startRule(r, snapshot, resources, indexes, ctx, budgetOf);
      const collection = sharedPassOf(r);
      if (run instanceof RuleRun && collection !== undefined) {
        const runs = [run];
        for (const other of rules.slice(rules.indexOf(r) + 1)) {
          if (sharedPassOf(other) !== collection || ahead.has(other)) continue;
          const started = startRule(other, snapshot, resources, indexes, ctx, budgetOf);
          ahead.set(other, started);
          if (started instanceof RuleRun) runs.push(started);
        }
        sharedPass(runs);
      } else if (run instanceof RuleRun) run.checkAll();
      indexes.releaseBindings();
    }
    out.results.push(run instanceof RuleRun ? run.finish(out) : run);
    progress?.({ rulesEvaluated: 1 });
  }
  // Conflicts in the collections the rules read (the others change no verdict).
  for (const d of resources.conflicts) out.diagnostics.push(d);
  return out;
}
