/**
 * NDJSON / JSON Lines: one JSON value per line, cut at line feeds (a `\r` before one is JSON
 * whitespace); blank lines are skipped but counted, so a record's index is its line's index.
 */
import { MAX_VALUE_BYTES, PendingBytes, type ScanFailure, type ScanSink } from './json-stream';

export class LineScanner {
  private line = 0;
  private lineStart = 0;
  private readonly pending = new PendingBytes();

  constructor(private readonly sink: ScanSink) {}

  push(chunk: Buffer, base: number): ScanFailure | undefined {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const failure = this.complete(this.pending.take(chunk.subarray(from, nl)));
      if (failure !== undefined) return failure;
      from = nl + 1;
      this.line++;
      this.lineStart = base + from;
    }
    if (from < chunk.length && !this.pending.add(chunk.subarray(from))) {
      return { code: 'read-error', message: `line ${this.line + 1} is longer than ${MAX_VALUE_BYTES / 1024 / 1024} MiB and cannot be read`, offset: this.lineStart };
    }
    return undefined;
  }

  end(): ScanFailure | undefined {
    return this.pending.empty ? undefined : this.complete(this.pending.take(Buffer.alloc(0)));
  }

  private complete(bytes: Buffer): ScanFailure | undefined {
    if (isBlank(bytes)) return undefined;
    return this.sink.value({ key: undefined, index: this.line, start: this.lineStart, mode: 'root', scalar: false }, bytes);
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
