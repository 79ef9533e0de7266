/**
 * Writes JSON exports record by record, in chunks: a 1M-device page set is gigabytes, more than one
 * JavaScript string can hold. The bytes are exactly `JSON.stringify(envelope, null, 2)` plus a
 * newline, as `az rest` and the demo snapshot print them.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Flush to disk once this many characters are buffered. */
const CHUNK_CHARS = 1 << 20;

export type Entries = ReadonlyArray<readonly [key: string, value: unknown]>;

export interface Envelope {
  /** Members before the record array, in order. */
  head: Entries;
  /** Name of the member that holds the records (`value`, `data`). */
  arrayKey: string;
  records: Iterable<unknown>;
  /** Members after the record array. */
  tail: Entries;
}

/** Pretty-prints `value` as a member nested `depth` levels deep. */
function nested(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  return depth === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** Writes one envelope file; returns its size in bytes. */
export function writeEnvelope(file: string, envelope: Envelope): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= CHUNK_CHARS) flush();
  };
  const flush = () => {
    bytes += fs.writeSync(fd, buffer);
    buffer = '';
  };
  try {
    const member = ([key, value]: readonly [string, unknown]) => `  ${JSON.stringify(key)}: ${nested(value, 1)}`;
    emit('{\n');
    for (const entry of envelope.head) emit(`${member(entry)},\n`);
    emit(`  ${JSON.stringify(envelope.arrayKey)}: [`);
    let count = 0;
    for (const record of envelope.records) {
      emit(`${count === 0 ? '\n' : ',\n'}    ${nested(record, 2)}`);
      count++;
    }
    emit(count === 0 ? ']' : '\n  ]');
    for (const entry of envelope.tail) emit(`,\n${member(entry)}`);
    emit('\n}\n');
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Writes a small export in one go; returns its size in bytes. */
export function writeJson(file: string, value: unknown): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = `${JSON.stringify(value, null, 2)}\n`;
  fs.writeFileSync(file, text);
  return Buffer.byteLength(text);
}
