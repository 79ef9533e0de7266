/**
 * Problems with inputs or rules travel as values, never as thrown strings, so that one bad file
 * does not hide what the others say and every problem reaches the report with its position.
 */

export type DiagnosticSeverity = 'error' | 'warning' | 'note';

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic {
  severity: DiagnosticSeverity;
  /** Stable machine-readable code, e.g. `json-syntax`, `unknown-export`, `rule-schema`. */
  code: string;
  message: string;
  /** File the problem is in, relative to the snapshot or rules root where possible, with `/` separators. */
  file?: string;
  /** 1-based line/column where known. */
  position?: Position;
  /** JSON pointer (RFC 6901) into the file's document where known. */
  pointer?: string;
  /** Rule the problem belongs to, for rule-file problems. */
  ruleId?: string;
}

export function diagnostic(
  severity: DiagnosticSeverity,
  code: string,
  message: string,
  where: Omit<Diagnostic, 'severity' | 'code' | 'message'> = {},
): Diagnostic {
  return { severity, code, message, ...where };
}

/** 1-based line and column of a character offset in a text. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

const severityOrder: Record<DiagnosticSeverity, number> = { error: 0, warning: 1, note: 2 };

/**
 * Problems that follow from others: a promised export is missing or short because its file did not
 * parse, a rule checked too little because its export was cut. They sort after every other
 * problem, so a reader meets the cause first.
 */
const EFFECTS: ReadonlySet<string> = new Set(['export-missing', 'export-empty', 'export-below-minimum', 'incomplete-paging', 'scope-below-minimum']);

/** Deterministic order: causes before effects (see EFFECTS), then file, position, pointer, code, message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    Number(EFFECTS.has(a.code)) - Number(EFFECTS.has(b.code)) ||
    cmp(a.file ?? '', b.file ?? '') ||
    (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
    (a.position?.column ?? 0) - (b.position?.column ?? 0) ||
    cmp(a.pointer ?? '', b.pointer ?? '') ||
    severityOrder[a.severity] - severityOrder[b.severity] ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}

/** Locale-independent string comparison, so output never depends on the machine's locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
