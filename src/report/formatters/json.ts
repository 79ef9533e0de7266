import type { Formatter } from '../model';
import { fromPieces, jsonPieces } from './pieces';

/**
 * The report exactly as the documented contract (schemas/report.schema.json, docs/report-format.md).
 * Nothing is added (no timestamp, host or path of this machine), so equal inputs give equal bytes
 * and reports can be diffed between runs.
 */
export const json: Formatter = fromPieces(function* (report) {
  // In pieces: a million findings are more text than one string holds (pieces.ts).
  yield* jsonPieces(report);
  yield '\n';
});
