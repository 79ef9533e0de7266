/** Formats benchmark results: the per-size table, the scaling line and the join-rule comparison. */

export interface SizeResult {
  label: string;
  devices: number;
  files: number;
  megabytes: number;
  repeats: number;
  /** The floor keeping nothing (`floor.ts --discard`): what the ratios are taken against. */
  floor: Timing;
  /** The floor keeping every parsed value. */
  keepFloor: Timing;
  /** The bound (`bound.ts`): the floor plus envelopes, detection and cutting records, keeping the cut records; undefined if it failed. */
  bound: Timing | undefined;
  lint: Timing;
  /** lint / floor, by median wall time and by median CPU time. */
  ratioWall: number;
  ratioCpu: number | undefined;
  /** lint / floor of each repeat (wall), to show the spread. */
  ratios: number[];
  /** The lint as on a CI agent with `gb` of memory (bench/agent.ts), once. */
  agent?: { gb: number; wallSeconds: number; cpuSeconds: number | undefined; peakRssMB: number; exitCode: number | null; sameReport: boolean };
  /** The previous build on the same snapshot, and whether its JSON report is byte-identical. */
  previous?: { commit: string; wallSeconds: number; cpuSeconds: number | undefined; peakRssMB: number; sameReport: boolean };
  lintExitCode: number | null;
  /** The lint wrote its report (exit 0, 1, or 2 for an input or rule error), rather than crashing. */
  lintCompleted: boolean;
  /** --max-old-space-size the node children ran with, if any. */
  heapMB: number | undefined;
  findings: number | undefined;
}

export interface Timing {
  /** Median over the repeats. */
  wallSeconds: number;
  cpuSeconds: number | undefined;
  /** Highest peak RSS of the repeats. */
  peakRssMB: number;
}

export interface JoinResult {
  label: string;
  megabytes: number;
  floor: Timing;
  postureLint: Timing;
  jq: Timing | undefined;
  postureLintFailing: number | undefined;
  jqFailing: number | undefined;
}

const f = (n: number | undefined, digits = 2) => (n === undefined ? 'n/a' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 'n/a' : `${f(a / b)}×`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function sizeTable(results: readonly SizeResult[]): string {
  return table(
    ['size', 'devices', 'files', 'MB', 'runs', 'floor s', 'floor CPU s', 'floor RSS MB', 'keep-all floor s', 'keep-all floor RSS MB', 'bound s', 'bound CPU s', 'bound RSS MB', 'bound/floor (wall)', 'bound/floor (CPU)', 'lint s', 'lint CPU s', 'lint RSS MB', 'lint/floor (wall)', 'each run', 'lint/floor (CPU)', 'lint/keep-all floor (wall)', 'lint/bound (CPU)', 'exit', 'findings'],
    results.map((r) => [
      r.label, String(r.devices), String(r.files), f(r.megabytes, 0), String(r.repeats),
      f(r.floor.wallSeconds), f(r.floor.cpuSeconds), f(r.floor.peakRssMB, 0),
      f(r.keepFloor.wallSeconds), f(r.keepFloor.peakRssMB, 0),
      f(r.bound?.wallSeconds), f(r.bound?.cpuSeconds), f(r.bound?.peakRssMB, 0), ratio(r.bound?.wallSeconds, r.floor.wallSeconds), ratio(r.bound?.cpuSeconds, r.floor.cpuSeconds),
      f(r.lint.wallSeconds), f(r.lint.cpuSeconds), f(r.lint.peakRssMB, 0),
      `${f(r.ratioWall)}×`, r.ratios.map((x) => f(x)).join(' '), r.ratioCpu === undefined ? 'n/a' : `${f(r.ratioCpu)}×`,
      `${f(r.lint.wallSeconds / r.keepFloor.wallSeconds)}×`, ratio(r.lint.cpuSeconds, r.bound?.cpuSeconds), String(r.lintExitCode), r.findings === undefined ? 'n/a' : String(r.findings),
    ]),
  );
}

export function previousTable(results: readonly SizeResult[]): string {
  return table(
    ['size', 'previous build', 'its s', 'its CPU s', 'its RSS MB', 'this build s (median)', 'this CPU s', 'this RSS MB', 'JSON report'],
    results.map((r) => {
      const p = r.previous!;
      return [
        r.label, p.commit.slice(0, 12), f(p.wallSeconds), f(p.cpuSeconds), f(p.peakRssMB, 0),
        f(r.lint.wallSeconds), f(r.lint.cpuSeconds), f(r.lint.peakRssMB, 0), p.sameReport ? 'byte-identical' : 'DIFFERENT',
      ];
    }),
  );
}

/** Growth exponent k in time ∝ size^k between two points: 1 is linear, 2 quadratic. */
function exponent(t1: number, t2: number, n1: number, n2: number): number {
  return Math.log(t2 / t1) / Math.log(n2 / n1);
}

/** How time grows from the smallest to the largest size measured (both with a completed lint). */
export function scalingLine(results: readonly SizeResult[]): string | undefined {
  const done = results.filter((r) => r.lintCompleted);
  if (done.length < 2) return undefined;
  const [a, b] = [done[0], done[done.length - 1]];
  const growth = b.devices / a.devices;
  const lintGrowth = b.lint.wallSeconds / a.lint.wallSeconds;
  const floorGrowth = b.floor.wallSeconds / a.floor.wallSeconds;
  const cpu = a.lint.cpuSeconds !== undefined && b.lint.cpuSeconds !== undefined
    ? `; by CPU time lint ×${f(b.lint.cpuSeconds / a.lint.cpuSeconds, 1)} (exponent ${f(exponent(a.lint.cpuSeconds, b.lint.cpuSeconds, a.devices, b.devices))})`
    : '';
  return `scaling ${a.label} → ${b.label} (devices ×${f(growth, 0)}): lint time ×${f(lintGrowth, 1)} (exponent ${f(exponent(a.lint.wallSeconds, b.lint.wallSeconds, a.devices, b.devices))}, 1.00 = linear), floor ×${f(floorGrowth, 1)} (exponent ${f(exponent(a.floor.wallSeconds, b.floor.wallSeconds, a.devices, b.devices))})${cpu}`;
}

export function joinTable(results: readonly JoinResult[]): string {
  return table(
    ['size', 'mde/ MB', 'floor s', 'posture-lint s', 'posture-lint RSS MB', 'jq s', 'jq RSS MB', 'jq / posture-lint', 'failing (posture-lint)', 'failing (jq)', 'same'],
    results.map((r) => [
      r.label, f(r.megabytes, 0), f(r.floor.wallSeconds), f(r.postureLint.wallSeconds), f(r.postureLint.peakRssMB, 0),
      f(r.jq?.wallSeconds), f(r.jq?.peakRssMB, 0), r.jq ? `${f(r.jq.wallSeconds / r.postureLint.wallSeconds)}×` : 'n/a',
      String(r.postureLintFailing ?? 'n/a'), String(r.jqFailing ?? 'n/a'),
      r.jqFailing === undefined ? 'n/a' : r.jqFailing === r.postureLintFailing ? 'yes' : 'NO',
    ]),
  );
}
