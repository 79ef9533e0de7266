/**
 * Reading reports back for `trend`: JSON reports posture-lint wrote (`lint --format json`), each
 * checked against the report schema. A report of a schemaVersion this version does not know is
 * refused, never guessed at: its fields may mean something else.
 */
import { stat } from 'node:fs/promises';
import { glob } from '../folder-glob';
import { readInput } from '../input-file';
import * as path from 'node:path';
import { cmp, diagnostic, type Diagnostic } from '../diagnostics';
import { schemaValidator } from '../snapshot/validate';
import { pointerSegment } from '../snapshot/json-util';
import { REPORT_SCHEMA_VERSION, type Report } from '../report/model';
import { schemaProblems } from '../schema-errors';

/** Report formats `trend` reads: 1.0 has no controls, subscriptions or snapshot time; 1.1 added them. */
export const READABLE_SCHEMA_VERSIONS: readonly string[] = ['1.0', REPORT_SCHEMA_VERSION];

export interface ReadReport {
  /** The file as given (or inside the folder given), `/`-separated. */
  file: string;
  report: Report;
}


/** Files named: a file as given, a folder's `*.json` files (not recursive), sorted by name. */
async function expand(inputs: readonly string[], cwd: string, diagnostics: Diagnostic[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const st = await stat(abs).catch(() => undefined);
    if (!st) diagnostics.push(diagnostic('error', 'report-missing', `no such report file or folder: ${input}`, { file: input }));
    else if (st.isDirectory()) {
      const names = (await glob('*.json', { cwd: abs, onlyFiles: true, followSymbolicLinks: false, dot: true })).sort(cmp);
      if (names.length === 0) diagnostics.push(diagnostic('error', 'report-missing', `no *.json report in folder ${input}`, { file: input }));
      out.push(...names.map((n) => path.join(input, n).split(path.sep).join('/')));
    } else if (st.isFile()) out.push(input.split(path.sep).join('/'));
    else diagnostics.push(diagnostic('error', 'report-unreadable', `not a regular file: ${input}`, { file: input }));
  }
  return out;
}

async function readOne(file: string, cwd: string): Promise<{ report?: Report; diagnostics: Diagnostic[] }> {
  // The one reader for untrusted files (at most 500 MiB); a link is followed only as named: folders are listed without links.
  const read = await readInput(path.resolve(cwd, file), 'report', { followLinks: true });
  if ('problem' in read) {
    const code = read.problem.code === 'too-large' ? 'report-too-large' : 'report-unreadable';
    return { diagnostics: [diagnostic('error', code, `the report ${read.problem.message}`, { file })] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    // JSON.parse's words quote the file: a secret given as a report is not echoed.
    return { diagnostics: [diagnostic('error', 'report-invalid', 'not a JSON report: the file is not valid JSON', { file })] };
  }
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version === undefined) {
    return { diagnostics: [diagnostic('error', 'report-invalid', 'not a posture-lint JSON report: it has no schemaVersion (write reports with lint --format json)', { file })] };
  }
  if (typeof version !== 'string' || !READABLE_SCHEMA_VERSIONS.includes(version)) {
    return {
      diagnostics: [
        diagnostic(
          'error',
          'report-version-unknown',
          `report schemaVersion ${JSON.stringify(version ?? null)} is not one this posture-lint reads (${READABLE_SCHEMA_VERSIONS.join(', ')}): write it again with this version, or trend it with the version that wrote it`,
          { file, pointer: '/schemaVersion' },
        ),
      ],
    };
  }
  // Every readable version has the fields of 1.0, and those 1.1 added are optional: with its
  // version checked above, a report is checked against the current schema.
  const validate = schemaValidator('schemas/report.schema.json');
  if (!validate({ ...(doc as object), schemaVersion: REPORT_SCHEMA_VERSION })) {
    return {
      diagnostics: schemaProblems(validate.errors ?? []).map((p) =>
        diagnostic('error', 'report-invalid', `not a posture-lint report: ${p.path.join('.') || '(top level)'} ${p.message}`, {
          file,
          pointer: p.path.map((s) => `/${pointerSegment(String(s))}`).join(''),
        }),
      ),
    };
  }
  return { report: doc as Report, diagnostics: [] };
}

/** Every report named, in the order given (folders expanded); a problem in one is an error naming it. */
export async function readReports(inputs: readonly string[], cwd: string): Promise<{ reports: ReadReport[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const files = await expand(inputs, cwd, diagnostics);
  const reports: ReadReport[] = [];
  for (const file of files) {
    const r = await readOne(file, cwd);
    diagnostics.push(...r.diagnostics);
    if (r.report) reports.push({ file, report: r.report });
  }
  return { reports, diagnostics };
}

