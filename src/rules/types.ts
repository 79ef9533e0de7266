/** What the rule loader hands the engine: rules compiled once, ready to run per record. */
import type { RuleMeta } from '../report/model';
import type { Bound, ParsedPath } from './path';
import type { Template } from './template';
import type { ParameterDeclaration } from './parameters';
import type { FieldRead } from '../snapshot/projection';

/** Steps a rule may still take (see src/engine/budget.ts); spending past it throws. */
export interface StepBudget {
  spend(n: number): void;
}

export interface EvalContext {
  /** Snapshot facts that have a value. */
  facts: ReadonlyMap<string, string>;
  /** Evaluation time, epoch ms. */
  now: number;
  budget: StepBudget;
}

export type Predicate = (scope: Bound, ctx: EvalContext) => boolean;

export interface JoinKeyPair {
  local: ParsedPath;
  foreign: ParsedPath;
  match: 'equals' | 'scope' | 'within';
}

export interface CompiledJoin {
  name: string;
  from: string;
  /** Empty: every record of the collection is joined. */
  on: JoinKeyPair[];
  many: boolean;
  required: boolean;
  /** Read only by the message and resource name templates: never required, and its gaps change no verdict nor fingerprint. */
  presentation: boolean;
  /** Filter on foreign records, applied once when the index is built. */
  where?: Predicate;
  joins: CompiledJoin[];
  /** Stable text of the collection and the filter with its parameters resolved, so equal joins share one index. */
  indexKey: string;
}

export interface CompiledLet {
  name: string;
  select: ParsedPath;
  as: string;
  where?: Predicate;
  distinct?: ParsedPath;
}

export interface CompiledRule {
  meta: RuleMeta;
  /** Ships with posture-lint; rule sets select among these. */
  builtin: boolean;
  /** Parameter values in effect: defaults, or the configuration's values where they fit. */
  params: Readonly<Record<string, unknown>>;
  /** Each parameter's declared type, against which configured values are checked. */
  parameters: Readonly<Record<string, ParameterDeclaration>>;
  /** Collections iterated together; the rule runs when at least one is present. */
  from: string[];
  groupBy?: ParsedPath;
  /** Check the whole collection once, as one subject with `items`. */
  aggregate: boolean;
  where?: Predicate;
  joins: CompiledJoin[];
  /** Join names of which at least one collection must be present. */
  requiresAny: string[];
  lets: CompiledLet[];
  assert: Predicate;
  message: Template;
  resource: { kind?: Template; id?: Template; name?: Template };
  /** Facts the rule reads; a rule whose facts have no value is not evaluated. */
  facts: string[];
  /** Named conditions the rule uses, directly or through others (src/rules/named-conditions.ts), by name. */
  conditions?: { name: string; description: string; file: string; builtin: boolean }[];
  /**
   * The record fields the rule reads (src/rules/references.ts), for the loader's projection;
   * unknown (every collection the rule names is kept whole) when not worked out.
   */
  reads?: FieldRead[];
}
