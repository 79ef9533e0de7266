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

/**
 * The value JSON.stringify writes for the member `key` of an object or array: what its toJSON
 * gives for that key, a boxed string, number or boolean as its primitive (ECMA-262,
 * SerializeJSONProperty).
 */
function jsonValue(value: unknown, key: string): unknown {
  let v = value;
  if (typeof v === 'object' && v !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = (toJSON as (key: string) => unknown).call(v, key);
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return v.valueOf();
  return v;
}

/**
 * `JSON.stringify(value, null, 2)`, in pieces. An object's members are written one by one, and an
 * array's elements each whole: a report's findings, the files it read, a baseline's fixed findings
 * are arrays of small values, however many. `indent` is the indentation of the line `value` is on.
 */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  yield* valuePieces(jsonValue(value, ''), indent);
}

/** jsonPieces of a value its holder's toJSON and boxing were already applied to (jsonValue). */
function* valuePieces(value: unknown, indent: string): Generator<string> {
  if (typeof value !== 'object' || value === null) {
    yield JSON.stringify(value) ?? 'null';
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
    for (let i = 0; i < value.length; i++) yield `${i === 0 ? '' : ','}\n${inner}${whole(value[i], String(i), inner) ?? 'null'}`;
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [name, member] of Object.entries(value)) {
    const v = jsonValue(member, name);
    // A member JSON cannot write is left out, as JSON.stringify has it.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(name)}: `;
    first = false;
    yield* valuePieces(v, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}

/**
 * An array element as JSON.stringify writes it at this indentation (undefined for what it writes
 * as null): written as the one member of an object, so that its toJSON is given its index.
 */
function whole(value: unknown, index: string, indent: string): string | undefined {
  const member = JSON.stringify({ [index]: value }, null, 2);
  if (member === '{}') return undefined;
  // `{\n  "<index>": <value>\n}`: the value's lines are indented by two spaces there.
  const text = member.slice(`{\n  ${JSON.stringify(index)}: `.length, -'\n}'.length);
  return indent === '  ' ? text : text.replace(/\n  /g, `\n${indent}`);
}
