/**
 * Runs one command as a child process and measures its wall time and peak resident memory.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`, the kernel's ru_maxrss of the child as
 * wait4 reports it: exact, and the same figure `/usr/bin/time -v` prints as "Maximum resident set
 * size"). Without GNU time (Debian package `time`), /proc/<pid>/status VmHWM (the kernel's
 * high-water mark) is polled every 20 ms, which can miss growth in the last 20 ms of the run. Wall
 * time is measured here, around the spawn, so both methods time the same thing; GNU time also gives
 * the child's CPU time (user + system), which other processes on a shared machine disturb less.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  command: string;
  wallSeconds: number;
  /** User + system CPU seconds of the child (GNU time only): less disturbed by other load than wall time. */
  cpuSeconds: number | undefined;
  peakRssMB: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export type RssMethod = 'gnu-time' | 'proc-vmhwm';

export function rssMethod(): RssMethod {
  const probe = fs.existsSync(GNU_TIME) ? spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }) : undefined;
  return probe?.status === 0 ? 'gnu-time' : 'proc-vmhwm';
}

function vmHwmKB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  method: RssMethod;
}

/** Runs `cmd args`, capturing stdout and stderr (kept in memory: the commands print little). */
export function measure(cmd: string, args: readonly string[], options: RunOptions): Promise<Measurement> {
  const timeFile = path.join(os.tmpdir(), `posture-lint-bench-${process.pid}-${Date.now()}.time`);
  const [file, argv] = options.method === 'gnu-time' ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, [...args]];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let peakKB = 0;
  let cpuSeconds: number | undefined;
  const poll =
    options.method === 'proc-vmhwm'
      ? setInterval(() => {
          peakKB = Math.max(peakKB, vmHwmKB(child.pid ?? -1) ?? 0);
        }, 20)
      : undefined;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      if (options.method === 'gnu-time') {
        const text = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
        fs.rmSync(timeFile, { force: true });
        // GNU time prints "Command exited with non-zero status N" before the figures.
        const m = /([\d.]+) ([\d.]+) (\d+)\s*$/.exec(text.trim());
        if (m) {
          cpuSeconds = Number(m[1]) + Number(m[2]);
          peakKB = Number(m[3]);
        }
      }
      resolve({
        command: [cmd, ...args].join(' '),
        wallSeconds,
        cpuSeconds,
        peakRssMB: peakKB / 1024,
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
