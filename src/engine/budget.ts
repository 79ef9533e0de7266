/**
 * Evaluation budgets: a rule from a pull request must not be able to stall a pipeline. Every
 * element a rule visits (a joined record, an element a quantifier, count or let looks at) costs one
 * step; a rule that runs out is stopped with an error naming it, instead of running for hours.
 *
 * The budget scales with the snapshot, so honest rules on the largest tenants never hit it: a rule
 * gets BASE_STEPS plus STEPS_PER_RECORD for every record in the snapshot — an honest rule visits
 * each record a bounded number of times, however few subjects it checks (a rule over five
 * principals may join every device). A cross join of two 20k collections inside a quantifier
 * needs 400M steps against a budget of 28M, and stops.
 */
import type { StepBudget } from '../rules/types';

export const BASE_STEPS = 20_000_000;
export const STEPS_PER_RECORD = 200;
export class BudgetExceeded extends Error {
  constructor(readonly limit: number) {
    super(`evaluation budget of ${limit} steps exceeded`);
  }
}

/** A step counter shared by everything one rule evaluates. */
export class Budget implements StepBudget {
  private remaining: number;
  /** Steps spent so far: how much a rule's work grows with the snapshot is measured in steps, not time. */
  used = 0;

  constructor(readonly limit: number) {
    this.remaining = limit;
  }

  static forRecords(records: number): Budget {
    return new Budget(BASE_STEPS + STEPS_PER_RECORD * records);
  }

  /** Spend `n` steps; throws BudgetExceeded when the rule has used up its budget. */
  spend(n: number): void {
    this.used += n;
    this.remaining -= n;
    if (this.remaining < 0) throw new BudgetExceeded(this.limit);
  }
}

/** For evaluation outside a rule run (tests, tools): never runs out. */
export const UNLIMITED: Budget = new Budget(Number.POSITIVE_INFINITY);
