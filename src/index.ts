/** Library API of posture-lint. */
export { lint, exitCode, COLLECTIONS, type LintOptions, type LintResult, type GateOptions } from './lint';
export { loadSnapshot, type LoadOptions } from './snapshot/load';
export { STREAM_THRESHOLD } from './snapshot/stream';
export { loadConfig, type Config } from './config';
export { createBaseline, type Baseline } from './gate/baseline';
export { loadRules } from './rules/load';
export { evaluate } from './engine/evaluate';
export { FORMATTERS, getFormatter, formatterNames } from './report/formatters';
/** A format's text in pieces, for reports larger than one string (a million findings). */
export { piecesOf, type PieceFormatter } from './report/formatters/pieces';
export type * from './report/model';
export type { Diagnostic, Position } from './diagnostics';
export type { Snapshot, SnapshotRecord, Collection } from './snapshot/types';
