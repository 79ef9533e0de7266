/**
 * Reports too large for one string. V8 holds at most 2^29 - 24 characters in a string, and a
 * million findings as JSON are 590 MB: `JSON.stringify` of such a report throws. A format that can
 * grow with the findings is written as a piece formatter, whose pieces the CLI writes as they come;
 * its Formatter (the pieces joined) is what tests and library users call on reports of any
 * ordinary size.
 */
import type { FormatContext, Formatter, Report } from '../model';

/** A format's text in pieces, in order; joined, they are its text. */
export type PieceFormatter = (report: Report, context: FormatContext) => Iterable<string>;

const piecesByFormatter = new WeakMap<Formatter, PieceFormatter>();

/** The Formatter of a piece formatter: its pieces joined. */
export function fromPieces(pieces: PieceFormatter): Formatter {
  const formatter: Formatter = (report, context) => {
    let text = '';
    for (const piece of pieces(report, context)) text += piece;
    return text;
  };
  piecesByFormatter.set(formatter, pieces);
  return formatter;
}

/** A formatter's text in pieces: its piece formatter's, or its whole text as one piece. */
export function piecesOf(formatter: Formatter): PieceFormatter {
  return piecesByFormatter.get(formatter) ?? ((report, context) => [formatter(report, context)]);
}

/** A container whose members are written one by one: a plain object or array without toJSON. */
function container(v: unknown): v is object {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * `JSON.stringify(value, null, 2)`, in pieces. An object's members are written one by one, and an
 * array's elements each whole: a report's findings, the files it read, a baseline's fixed findings
 * are arrays of small values, however many. `indent` is the indentation of the line `value` is on.
 */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  if (!container(value)) {
    yield whole(value, indent) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    // An element JSON cannot write (undefined, a function) is null, as JSON.stringify has it.
    for (let i = 0; i < value.length; i++) yield `${i === 0 ? '' : ','}\n${inner}${whole(value[i], inner) ?? 'null'}`;
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [key, member] of Object.entries(value)) {
    // A member JSON cannot write is left out, as JSON.stringify has it.
    const text = container(member) ? undefined : whole(member, inner);
    if (text === undefined && !container(member)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    if (text !== undefined) yield text;
    else yield* jsonPieces(member, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}

/** One value as JSON.stringify writes it at this indentation; undefined for what it leaves out. */
function whole(value: unknown, indent: string): string | undefined {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  return text === undefined || indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}
