/**
 * The progress line `lint` shows on stderr while it reads and evaluates: on a terminal once the run
 * has taken a moment (one line, rewritten in place and cleared before the report is printed); in CI
 * or a pipe only when asked (`--progress`), as plain lines a few seconds apart and one at the end,
 * with no escape sequences. It holds counts only: no file, rule or resource name reaches the
 * terminal through it, and stdout and the reports never see it.
 */
import { addProgress, noProgress, type ProgressCounts } from '../progress';
import { plural } from '../report/view';

export interface ProgressDisplayOptions {
  /** Writes to stderr as it is (the in-place line needs its carriage return and erase sequence). */
  write: (text: string) => void;
  /** stderr is a terminal: rewrite one line in place. */
  tty: boolean;
  /** The terminal's width: a longer line would wrap, and could not be rewritten. */
  columns?: number;
  /** Milliseconds since some fixed point (tests pass a clock). */
  now?: () => number;
  /** Nothing is shown before the run has taken this long (default: 2 s on a terminal, at once otherwise). */
  delayMs?: number;
  /** The line is rewritten at most this often (default: 4 times a second on a terminal, every 5 s otherwise). */
  intervalMs?: number;
}

/** Shows progress on a terminal unless --no-progress; in CI and pipes only with --progress. */
export function wantsProgress(flags: { progress?: boolean; 'no-progress'?: boolean }, stderrTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (flags['no-progress']) return false;
  if (flags.progress) return true;
  const ci = (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') || env.TF_BUILD !== undefined;
  return stderrTTY && !ci;
}

/** `12 files, 350.2 MB, 1,204,331 records read, rules 7/17, 0:42` (the rules once they are loaded): short enough for 80 columns. */
export function progressText(c: ProgressCounts, elapsedMs: number): string {
  const rules = c.rules === 0 ? '' : `, rules ${c.rulesEvaluated}/${c.rules}`;
  return `${plural(c.files, 'file')}, ${(c.bytes / (1024 * 1024)).toFixed(1)} MB, ${grouped(c.records)} ${c.records === 1 ? 'record' : 'records'} read${rules}, ${clock(elapsedMs)}`;
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Carriage return, then erase the line: the in-place line's only escape sequence. */
const REWRITE = '\r\x1b[2K';

export class ProgressDisplay {
  private readonly jobs = new Map<number, ProgressCounts>();
  private readonly now: () => number;
  private readonly started: number;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private lastPaint: number;
  private painted = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.delayMs = options.delayMs ?? (options.tty ? 2000 : 0);
    this.intervalMs = options.intervalMs ?? (options.tty ? 250 : 5000);
    // In a log, the first line comes one interval in: a line of zeros says nothing.
    this.lastPaint = options.tty ? -Infinity : this.started;
    // Keeps the elapsed time moving while a file is read; evaluation blocks the loop, so updates paint too.
    this.timer = setInterval(() => this.paint(false), this.intervalMs);
    this.timer.unref();
  }

  /** The counts of one snapshot's lint (several run at once): the line shows their sum. */
  update(job: number, counts: ProgressCounts): void {
    this.jobs.set(job, { ...counts });
    this.paint(false);
  }

  /** Ends the display: the terminal line is erased; elsewhere a last line says what was done. */
  finish(): void {
    clearInterval(this.timer);
    if (this.options.tty) {
      if (this.painted) this.options.write(REWRITE);
    } else if (this.painted || this.jobs.size > 0) {
      this.paint(true);
    }
  }

  private paint(final: boolean): void {
    const t = this.now();
    if (!final && (t - this.started < this.delayMs || t - this.lastPaint < this.intervalMs)) return;
    this.lastPaint = t;
    this.painted = true;
    const total = noProgress();
    for (const c of this.jobs.values()) addProgress(total, c);
    const text = `posture-lint: ${final ? 'done: ' : ''}${progressText(total, t - this.started)}`;
    if (!this.options.tty) {
      this.options.write(`${text}\n`);
      return;
    }
    const width = Math.max(20, (this.options.columns ?? 80) - 1);
    this.options.write(`${REWRITE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  }
}
