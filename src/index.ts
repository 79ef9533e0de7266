/** Library API of posture-lint. */
export { lint, exitCode, COLLECTIONS, type LintOptions, type LintResult, type GateOptions } from './lint';
export { loadSnapshot } from './snapshot/load';
export { loadRules } from './rules/load';
export { evaluate } from './engine/evaluate';
export { FORMATTERS, getFormatter, formatterNames } from './report/formatters';
export type * from './report/model';
export type { Diagnostic, Position } from './diagnostics';
export type { Snapshot, SnapshotRecord, Collection } from './snapshot/types';
