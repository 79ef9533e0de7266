import type { Formatter } from '../model';

/**
 * The report exactly as the documented contract (schemas/report.schema.json, docs/report-format.md).
 * Nothing is added (no timestamp, host or path of this machine), so equal inputs give equal bytes
 * and reports can be diffed between runs.
 */
export const json: Formatter = (report) => `${JSON.stringify(report, null, 2)}\n`;
