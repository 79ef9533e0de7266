/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, and the
 * share of the run spent under each of a few entry points (load, rule evaluation, GC).
 *
 *   node profile.js <file.cpuprofile> [top=25]
 *
 * Only Node built-ins are imported (bench/run.ts transpiles it and runs it with plain node).
 */
import { readFileSync } from 'fs';
import { relative } from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Self time per function (name + file + line), most expensive first. */
export function topFunctions(profile: Profile, cwd: string): FunctionCost[] {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = profile.timeDeltas[k] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFunction = new Map<string, FunctionCost>();
  for (const [id, us] of self) {
    const frame = byNode.get(id)!.callFrame;
    const file = frame.url.startsWith('file://') ? relative(cwd, frame.url.slice('file://'.length)) : frame.url;
    const where = file ? `${file}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0, share: 0 };
    entry.selfMs += us / 1000;
    byFunction.set(key, entry);
  }
  const out = [...byFunction.values()];
  for (const f of out) f.share = total > 0 ? f.selfMs / (total / 1000) : 0;
  return out.sort((a, b) => b.selfMs - a.selfMs);
}

function main(args: string[]): number {
  const [file, topText] = args;
  if (!file) {
    process.stderr.write('usage: node profile.js <file.cpuprofile> [top]\n');
    return 2;
  }
  const top = topFunctions(JSON.parse(readFileSync(file, 'utf8')) as Profile, process.cwd()).slice(0, Number(topText ?? 25));
  for (const f of top) process.stdout.write(`${f.selfMs.toFixed(0).padStart(8)} ms ${(100 * f.share).toFixed(1).padStart(5)} %  ${f.name}  ${f.where}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
