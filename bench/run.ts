/**
 * `npm run bench`: generates realistic snapshots (bench/generate.ts) and measures posture-lint on
 * them against the floor (bench/floor.ts: read and JSON.parse the same files, nothing else,
 * keeping nothing; and keeping every parsed value, as a second column), beside the bound
 * (bench/bound.ts: what a loader of this design pays before any rule runs), against the previous
 * build (a git ref, built into <data>/reference/), whose reports must be byte-identical, and, for
 * the join rule linux-realtime-protection-on, against jq (bench/linux-rtp.jq). Every measurement
 * is a separate child process; see bench/measure.ts for how time and memory are taken. Results
 * are printed and written to <data>/results.json. Not part of `npm test`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { generateSnapshot, isReusable, parseSize } from './generate';
import { NOW_ISO } from '../scripts/demo-snapshot/util';
import { measure, median, rssMethod, type Measurement, type RssMethod } from './measure';
import { joinTable, previousTable, scalingLine, sizeTable, type JoinResult, type SizeResult, type Timing } from './report';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const JOIN_RULE = path.join(ROOT, 'rules', 'linux-realtime-protection-on.yaml');

const HELP = `Usage: npm run bench -- [options]   (or: npx ts-node --transpile-only bench/run.ts [options])

Generates benchmark snapshots (reused when present) and times the full built-in rule pack against
the floor (read + JSON.parse of the same files, keeping nothing; and keeping every value), shows
the bound (the floor plus envelopes, detection and records cut to what the rules read, checking
and evaluating nothing), and compares with the previous build, whose JSON reports must be
byte-identical to this build's, and the join rule linux-realtime-protection-on with jq.

Options:
  --sizes <list>       snapshot sizes in devices (default 10k,100k,1M)
  --repeats <n>        runs per measurement, median reported (default: 5 below 100k, 2 below 1M, else 1)
  --jq-sizes <list>    sizes for the jq comparison (default 10k,100k; "none" to skip)
  --determinism <list> sizes whose lint reports (bench/.data/reports/) are compared byte for byte
                       across the repeats (default 100k; the size needs 2 or more repeats)
  --reference <ref>    the previous build to compare with: a git ref (default: where this branch
                       forked from main, git merge-base HEAD main; on main itself, give the commit
                       before the change; "none" to skip), exported with git archive into
                       <data>/reference/<commit> and built there
  --compare <list>     sizes at which the reference build runs too, once, and its JSON report must
                       be byte-identical to this build's (default 10k,100k)
  --agent <GB>         also lint as on a CI agent with this much memory (a 7 GB hosted agent: 7),
                       once per --agent-sizes size: the same job in a worker whose heap limit is the
                       one posture-lint sets there (3/4 of the agent's memory); its report must be
                       byte-identical to the lint's (default: none)
  --agent-sizes <list> sizes for --agent (default 1M)
  --per-rule <list>    sizes to time each rule on its own, in one process, with the steps it spent
                       of its evaluation budget (default none)
  --profile <list>     sizes to run once more under node --cpu-prof and list the top functions (default none)
  --heap <MB|auto>     --max-old-space-size for the floor and the per-rule tool; auto (the default)
                       leaves node's own limit (about 4 GB) below 300k devices and gives 3/4 of the
                       machine's memory above, where the floor cannot hold the snapshot. The lint
                       runs as users run it: it sizes its own worker's heap to the machine
  --data <dir>         where snapshots and results go (default bench/.data, gitignored)
  --build <when>       build dist/ first: auto (when a src/ file is newer, the default), always, never
  --seed <n>           generator seed
  --help               this text
`;

interface Options {
  sizes: string[];
  reference: string | undefined;
  compare: string[];
  agentGb: number | undefined;
  agentSizes: string[];
  repeats: number | undefined;
  jqSizes: string[];
  determinism: string[];
  perRule: string[];
  profile: string[];
  heap: number | 'auto';
  data: string;
  build: 'auto' | 'always' | 'never';
  seed: number | undefined;
}

function parseArgs(argv: string[]): Options | string {
  const o: Options = { sizes: ['10k', '100k', '1M'], reference: 'fork-point', compare: ['10k', '100k'], agentGb: undefined, agentSizes: ['1M'], repeats: undefined, jqSizes: ['10k', '100k'], determinism: ['100k'], perRule: [], profile: [], heap: 'auto', data: path.join(ROOT, 'bench', '.data'), build: 'auto', seed: undefined };
  const list = (v: string) => (v === 'none' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean));
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return HELP;
    const value = argv[++i];
    if (value === undefined) return `${flag} needs a value\n\n${HELP}`;
    if (flag === '--sizes') o.sizes = list(value);
    else if (flag === '--repeats') o.repeats = Number(value);
    else if (flag === '--jq-sizes') o.jqSizes = list(value);
    else if (flag === '--reference') o.reference = value === 'none' ? undefined : value;
    else if (flag === '--compare') o.compare = list(value);
    else if (flag === '--agent') o.agentGb = Number(value);
    else if (flag === '--agent-sizes') o.agentSizes = list(value);
    else if (flag === '--determinism') o.determinism = list(value);
    else if (flag === '--per-rule') o.perRule = list(value);
    else if (flag === '--profile') o.profile = list(value);
    else if (flag === '--heap') o.heap = value === 'auto' ? 'auto' : Number(value);
    else if (flag === '--data') o.data = path.resolve(value);
    else if (flag === '--build' && (value === 'auto' || value === 'always' || value === 'never')) o.build = value;
    else if (flag === '--seed') o.seed = Number(value);
    else return `unknown option or value: ${flag} ${value}\n\n${HELP}`;
  }
  if (o.agentGb !== undefined && !(o.agentGb > 0)) return '--agent needs a memory size in GB, such as 7';
  const bad = [...o.sizes, ...o.compare, ...o.agentSizes, ...o.jqSizes, ...o.determinism, ...o.perRule, ...o.profile].find((s) => parseSize(s) === undefined);
  if (bad !== undefined) return `not a size: ${bad} (use e.g. 10k, 100k, 1M)`;
  if (o.repeats !== undefined && !(Number.isInteger(o.repeats) && o.repeats > 0)) return '--repeats needs a positive integer';
  if (o.heap !== 'auto' && !(Number.isInteger(o.heap) && o.heap > 0)) return '--heap needs a positive integer (MB) or auto';
  if (o.seed !== undefined && !Number.isInteger(o.seed)) return '--seed needs an integer';
  return o;
}

const log = (text: string) => process.stdout.write(`${text}\n`);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuild(when: Options['build']): void {
  const stale = !fs.existsSync(CLI) || Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'schemas'))) > fs.statSync(CLI).mtimeMs;
  if (when === 'never' || (when === 'auto' && !stale)) return;
  log('building dist/ (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed; fix it or run with --build never');
}

/**
 * The previous build: `ref` exported with git archive into <data>/reference/<commit>, sharing this
 * checkout's node_modules, and built there once. Returns its CLI.
 */
function referenceBuild(data: string, ref: string): { commit: string; cli: string } {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  };
  const commit = ref === 'fork-point' ? git('merge-base', 'HEAD', 'main') : git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = path.join(data, 'reference', commit);
  const cli = path.join(dir, 'dist', 'src', 'cli', 'bin.js');
  if (fs.existsSync(cli)) return { commit, cli };
  log(`building the reference ${ref} (${commit.slice(0, 12)}) into ${path.relative(ROOT, dir)}…`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', commit], { cwd: ROOT, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`cannot unpack ${commit} into ${dir}`);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // Its own build script: since 2026-12 the build also compiles the schemas (dist/validators/).
  const build = spawnSync('npm', ['run', 'build'], { cwd: dir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the reference ${ref} does not build`);
  return { commit, cli };
}

/** Transpiles a dependency-free bench script to plain JS, so no TypeScript start-up is timed. */
function transpile(tools: string, name: string): string {
  const out = path.join(tools, `${name}.js`);
  const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
  fs.mkdirSync(tools, { recursive: true });
  fs.writeFileSync(out, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  return out;
}

function snapshotBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    files++;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

function ensureSnapshot(data: string, label: string, seed: number | undefined): string {
  const devices = parseSize(label)!;
  const dir = path.join(data, 'snapshots', label);
  const options = { devices, ...(seed === undefined ? {} : { seed }) };
  if (isReusable(dir, options)) return dir;
  log(`generating ${label} (${devices} devices) into ${path.relative(ROOT, dir)}…`);
  const started = Date.now();
  const summary = generateSnapshot(dir, options);
  log(`  ${summary.files} files, ${(summary.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

function timing(runs: readonly Measurement[]): Timing {
  const cpu = runs.map((r) => r.cpuSeconds).filter((c): c is number => c !== undefined);
  return {
    wallSeconds: median(runs.map((r) => r.wallSeconds)),
    cpuSeconds: cpu.length === runs.length ? median(cpu) : undefined,
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
  };
}

function describe(what: string, m: Measurement): string {
  const status = m.signal ? `signal ${m.signal}` : `exit ${m.exitCode}`;
  return `  ${what}: ${m.wallSeconds.toFixed(2)} s, CPU ${m.cpuSeconds?.toFixed(2) ?? 'n/a'} s, peak RSS ${m.peakRssMB.toFixed(0)} MB, ${status}, load average ${os.loadavg()[0].toFixed(1)}`;
}

interface ReportSummary {
  findings: unknown[];
  diagnostics: { severity: string; code: string; message: string; file?: string }[];
}

function readReport(file: string): ReportSummary | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ReportSummary;
  } catch {
    return undefined;
  }
}

/** Exit 2 or a crash: print what the process said and the report's errors. */
function checkLint(m: Measurement, reportFile: string): void {
  if (m.exitCode === 0 || m.exitCode === 1) return;
  log(`  posture-lint exited ${m.signal ? `on signal ${m.signal}` : `with ${m.exitCode}`}${m.stderr.trim() ? `:\n${m.stderr.split('\n').slice(-15).join('\n')}` : ''}`);
  const errors = readReport(reportFile)?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  for (const d of errors.slice(0, 10)) log(`    ${d.code}: ${d.file ? `${d.file}: ` : ''}${d.message}`);
}

/** Devices above which node's default heap limit (about 4 GB) cannot hold the parsed snapshot. */
const LARGE_SNAPSHOT = 300_000;

/** --max-old-space-size for node children at this size, if any. */
function heapFor(options: Options, devices: number): number | undefined {
  if (options.heap !== 'auto') return options.heap;
  return devices > LARGE_SNAPSHOT ? Math.floor((os.totalmem() / 2 ** 20) * 0.75) : undefined;
}

function envFor(options: Options, label: string): NodeJS.ProcessEnv {
  const heap = heapFor(options, parseSize(label)!);
  return heap === undefined ? process.env : { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heap}`.trim() };
}

interface Context {
  options: Options;
  method: RssMethod;
  tools: { floor: string; bound: string; perRule: string; profile: string; agent: string };
  reference: { commit: string; cli: string } | undefined;
}

async function benchSize(ctx: Context, label: string): Promise<SizeResult> {
  const dir = ensureSnapshot(ctx.options.data, label, ctx.options.seed);
  const devices = parseSize(label)!;
  const { files, bytes } = snapshotBytes(dir);
  const repeats = ctx.options.repeats ?? (devices < 100_000 ? 5 : devices < 1_000_000 ? 2 : 1);
  const deterministic = ctx.options.determinism.includes(label) && repeats > 1;
  // Reports go to files, not /dev/null, so an exit 2 can be explained and determinism checked;
  // writing the JSON costs well under 1 % of a run.
  const reports = path.join(ctx.options.data, 'reports');
  fs.mkdirSync(reports, { recursive: true });
  const heap = heapFor(ctx.options, devices);
  const env = envFor(ctx.options, label);
  log(`${label}: ${files} files, ${(bytes / 1e6).toFixed(0)} MB, ${repeats} run(s) each${heap ? `, the floor keeping every value with --max-old-space-size=${heap}` : ''}`);
  const floors: Measurement[] = [];
  const keepFloors: Measurement[] = [];
  const bounds: Measurement[] = [];
  const lints: Measurement[] = [];
  const lintArgs = (output: string) => ['lint', dir, '--format', 'json', '--output', output, '--ruleset', 'all'];
  for (let k = 0; k < repeats; k++) {
    // Each repeat runs the floors and the lint back to back, so their ratio sees the same machine.
    const floor = await measure(process.execPath, [ctx.tools.floor, dir, '--discard'], { method: ctx.method });
    log(describe('floor (keeping nothing)', floor));
    floors.push(floor);
    const keep = await measure(process.execPath, [ctx.tools.floor, dir], { method: ctx.method, env });
    log(describe('floor (keeping values) ', keep));
    keepFloors.push(keep);
    // No heap flag: like the lint, the bound sizes its own heap (and thread) to the machine.
    const bound = await measure(process.execPath, [ctx.tools.bound, ROOT, dir], { method: ctx.method });
    log(describe('bound (keeping cut records)', bound));
    if (bound.exitCode === 0) bounds.push(bound);
    else log(`  the bound exited ${bound.signal ? `on signal ${bound.signal}` : `with ${bound.exitCode}`}: ${bound.stderr.trim().split('\n').slice(-5).join('\n')}`);
    const output = path.join(reports, `${label}-${k + 1}.json`);
    fs.rmSync(output, { force: true });
    const lint = await measure(process.execPath, [CLI, ...lintArgs(output)], { method: ctx.method, cwd: ROOT });
    log(describe('lint                   ', lint));
    checkLint(lint, output);
    lints.push(lint);
  }
  let previous: SizeResult['previous'];
  if (ctx.reference && ctx.options.compare.includes(label)) {
    const output = path.join(reports, `${label}-reference-${ctx.reference.commit.slice(0, 12)}.json`);
    fs.rmSync(output, { force: true });
    // In its own folder, as this build runs in its own: diagnostics name rule files relative to it.
    const run = await measure(process.execPath, [ctx.reference.cli, ...lintArgs(output)], { method: ctx.method, cwd: path.resolve(path.dirname(ctx.reference.cli), '..', '..', '..') });
    log(describe(`previous build ${ctx.reference.commit.slice(0, 12)}`, run));
    checkLint(run, output);
    const same = fs.existsSync(output) && fs.readFileSync(output).equals(fs.readFileSync(path.join(reports, `${label}-1.json`)));
    log(`  the JSON report is ${same ? 'byte-identical to' : 'DIFFERENT from'} the previous build's (${path.relative(ROOT, output)})`);
    previous = { commit: ctx.reference.commit, wallSeconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, peakRssMB: run.peakRssMB, sameReport: same };
  }
  const lastReport = readReport(path.join(reports, `${label}-${repeats}.json`));
  const findings = lastReport?.findings.length;
  if (deterministic) {
    const texts = Array.from({ length: repeats }, (_, k) => fs.readFileSync(path.join(reports, `${label}-${k + 1}.json`)));
    const same = texts.every((t) => t.equals(texts[0]));
    log(`  determinism: ${repeats} JSON reports (${(texts[0].length / 1e6).toFixed(1)} MB, ${findings} findings) are ${same ? 'byte-identical' : 'DIFFERENT'}`);
  }
  let agent: SizeResult['agent'];
  if (ctx.options.agentGb !== undefined && ctx.options.agentSizes.includes(label)) {
    const output = path.join(reports, `${label}-agent-${ctx.options.agentGb}gb.json`);
    fs.rmSync(output, { force: true });
    const run = await measure(process.execPath, [ctx.tools.agent, ROOT, String(ctx.options.agentGb), dir, output], { method: ctx.method, cwd: ROOT });
    log(describe(`as on a ${ctx.options.agentGb} GB agent`, run));
    checkLint(run, output);
    const same = fs.existsSync(output) && fs.readFileSync(output).equals(fs.readFileSync(path.join(reports, `${label}-1.json`)));
    log(`  its JSON report is ${same ? 'byte-identical to' : 'DIFFERENT from'} the lint's`);
    agent = { gb: ctx.options.agentGb, wallSeconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, peakRssMB: run.peakRssMB, exitCode: run.exitCode, sameReport: same };
  }
  const floor = timing(floors);
  const lint = timing(lints);
  return {
    agent,
    label, devices, files, megabytes: bytes / 1e6, repeats, floor, keepFloor: timing(keepFloors), bound: bounds.length > 0 ? timing(bounds) : undefined, lint,
    ratioWall: lint.wallSeconds / floor.wallSeconds,
    ratioCpu: lint.cpuSeconds !== undefined && floor.cpuSeconds !== undefined ? lint.cpuSeconds / floor.cpuSeconds : undefined,
    ratios: lints.map((l, k) => l.wallSeconds / floors[k].wallSeconds),
    previous,
    lintExitCode: lints[lints.length - 1].exitCode,
    lintCompleted: lastReport !== undefined,
    heapMB: heap,
    findings,
  };
}

function jqAvailable(): boolean {
  return spawnSync('jq', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** linux-realtime-protection-on alone against jq, both reading only <snapshot>/mde (machines + deviceavinfo pages). */
async function benchJoin(ctx: Context, label: string, withJq: boolean): Promise<JoinResult> {
  const mde = path.join(ensureSnapshot(ctx.options.data, label, ctx.options.seed), 'mde');
  const pages = fs.readdirSync(mde).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(mde, f));
  const repeats = ctx.options.repeats ?? (parseSize(label)! < 100_000 ? 5 : 2);
  const report = path.join(ctx.options.data, 'reports', `${label}-join.json`);
  fs.rmSync(report, { force: true });
  const env = envFor(ctx.options, label);
  log(`join rule at ${label}: ${pages.length} MDE pages, ${repeats} run(s) each`);
  const floors: Measurement[] = [];
  const lints: Measurement[] = [];
  const jqs: Measurement[] = [];
  for (let k = 0; k < repeats; k++) {
    floors.push(await measure(process.execPath, [ctx.tools.floor, mde], { method: ctx.method, env }));
    log(describe('floor       ', floors[k]));
    // mde/ has no snapshot.yaml: both tools measure evidence age from the snapshot's time.
    lints.push(await measure(process.execPath, [CLI, 'lint', mde, '--ruleset', 'none', '--rules', JOIN_RULE, '--now', NOW_ISO, '--format', 'json', '--output', report], { method: ctx.method, cwd: ROOT }));
    log(describe('posture-lint', lints[k]));
    checkLint(lints[k], report);
    if (withJq) {
      jqs.push(await measure('jq', ['-n', '--arg', 'now', NOW_ISO, '-f', path.join(__dirname, 'linux-rtp.jq'), ...pages], { method: ctx.method }));
      log(describe('jq          ', jqs[k]));
    }
  }
  const failing = (JSON.parse(fs.readFileSync(report, 'utf8')) as { rules: { failed: number }[] }).rules[0]?.failed;
  const jqFailing = withJq ? Number(jqs[jqs.length - 1].stdout.trim()) : undefined;
  log(`  failing devices: posture-lint ${failing}, jq ${jqFailing ?? 'n/a'}`);
  return {
    label,
    megabytes: pages.reduce((n, p) => n + fs.statSync(p).size, 0) / 1e6,
    floor: timing(floors),
    postureLint: timing(lints),
    jq: withJq ? timing(jqs) : undefined,
    postureLintFailing: failing,
    jqFailing,
  };
}

async function perRule(ctx: Context, label: string): Promise<unknown> {
  const dir = ensureSnapshot(ctx.options.data, label, ctx.options.seed);
  const m = await measure(process.execPath, [ctx.tools.perRule, ROOT, dir], { method: ctx.method, env: envFor(ctx.options, label) });
  if (m.exitCode !== 0) {
    log(`per-rule timing at ${label} failed:\n${m.stderr}`);
    return undefined;
  }
  const result = JSON.parse(m.stdout) as { loadSeconds: number; loadErrors: string[]; rules: { id: string; seconds: number; status: string; evaluated: number; failed: number; steps?: { used: number; limit: number }; errors: string[] }[] };
  log(`per rule at ${label} (one process; each rule builds its own join indexes): load ${result.loadSeconds.toFixed(2)} s, peak RSS ${m.peakRssMB.toFixed(0)} MB`);
  for (const e of result.loadErrors) log(`  load error: ${e}`);
  for (const r of result.rules) {
    const steps = r.steps === undefined ? '' : `, ${r.steps.used.toLocaleString('en-US')} of ${r.steps.limit.toLocaleString('en-US')} steps`;
    log(`  ${r.seconds.toFixed(2).padStart(7)} s  ${r.id} (${r.status}, ${r.evaluated} checked, ${r.failed} failed${steps})`);
    for (const e of r.errors) log(`           error: ${e}`);
  }
  return result;
}

async function profile(ctx: Context, label: string): Promise<string> {
  const dir = ensureSnapshot(ctx.options.data, label, ctx.options.seed);
  const profiles = path.join(ctx.options.data, 'profiles', label);
  fs.rmSync(profiles, { recursive: true, force: true });
  await measure(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, CLI, 'lint', dir, '--format', 'json', '--output', '/dev/null', '--ruleset', 'all'], { method: ctx.method, cwd: ROOT });
  // One profile per thread: the lint runs in a worker, so the largest profile is the one that worked.
  const size = (f: string) => fs.statSync(path.join(profiles, f)).size;
  const file = fs.readdirSync(profiles).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => size(b) - size(a))[0];
  if (!file) return 'no profile written';
  const top = spawnSync(process.execPath, [ctx.tools.profile, path.join(profiles, file), '30'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  log(`CPU profile of the lint at ${label} (${path.relative(ROOT, path.join(profiles, file))}), top functions by self time:\n${top}`);
  return top;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    process.stdout.write(parsed);
    return parsed === HELP ? 0 : 2;
  }
  const options = parsed;
  ensureBuild(options.build);
  const tools = path.join(options.data, 'tools');
  const ctx: Context = {
    options,
    method: rssMethod(),
    tools: { floor: transpile(tools, 'floor'), bound: transpile(tools, 'bound'), perRule: transpile(tools, 'per-rule'), profile: transpile(tools, 'profile'), agent: transpile(tools, 'agent') },
    reference: options.reference !== undefined && options.compare.some((s) => options.sizes.includes(s)) ? referenceBuild(options.data, options.reference) : undefined,
  };
  const cpus = os.cpus();
  log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; peak RSS from ${ctx.method === 'gnu-time' ? 'GNU time (ru_maxrss)' : '/proc/<pid>/status VmHWM polling'}`);

  const sizes: SizeResult[] = [];
  for (const label of options.sizes) sizes.push(await benchSize(ctx, label));
  const withJq = jqAvailable();
  if (!withJq && options.jqSizes.length > 0) log('jq not found: install it (Debian/Ubuntu: apt-get install -y jq) to compare the join rule with jq; timing posture-lint alone');
  const joins: JoinResult[] = [];
  for (const label of options.jqSizes) joins.push(await benchJoin(ctx, label, withJq));
  const perRules: Record<string, unknown> = {};
  for (const label of options.perRule) perRules[label] = await perRule(ctx, label);
  const profiles: Record<string, string> = {};
  for (const label of options.profile) profiles[label] = await profile(ctx, label);

  log('');
  if (sizes.length > 0) log(`Full built-in pack (--ruleset all) against the floor keeping nothing (median of the runs; RSS: highest):\n${sizeTable(sizes)}`);
  const compared = sizes.filter((s) => s.previous !== undefined);
  if (compared.length > 0) log(`\nAgainst the previous build (one run each):\n${previousTable(compared)}`);
  for (const s of sizes) {
    if (s.agent) log(`\n${s.label} as on a ${s.agent.gb} GB agent: ${s.agent.wallSeconds.toFixed(2)} s, CPU ${s.agent.cpuSeconds?.toFixed(2) ?? 'n/a'} s, peak RSS ${s.agent.peakRssMB.toFixed(0)} MB, exit ${s.agent.exitCode}, report ${s.agent.sameReport ? 'byte-identical' : 'DIFFERENT'}`);
  }
  const scaling = scalingLine(sizes);
  if (scaling) log(scaling);
  if (joins.length > 0) log(`\nJoin rule linux-realtime-protection-on on <snapshot>/mde against jq:\n${joinTable(joins)}`);
  const resultsFile = path.join(options.data, 'results.json');
  fs.writeFileSync(resultsFile, `${JSON.stringify({ node: process.version, cpus: cpus.length, cpu: cpus[0]?.model, rssMethod: ctx.method, sizes, scaling, joins, perRule: perRules, profiles }, null, 2)}\n`);
  log(`\nresults: ${path.relative(ROOT, resultsFile)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
