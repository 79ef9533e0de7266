/**
 * Writes a realistic benchmark snapshot of N Defender for Endpoint devices, deterministically
 * (seeded), in the real export shapes and file layout of scripts/export-snapshot.sh:
 *
 *   arm/subscriptions.json                     GET /subscriptions (about N/2000 subscriptions)
 *   arm/vms.page-<n>.json                      Resource Graph pages of 1000 VM rows
 *   arm/<subscription>/role-assignments.json   REST, or `az role assignment list` for 1 in 5
 *   defender/<subscription>/{pricings,settings}.page-1.json
 *   mde/{machines,deviceavinfo}.page-<n>.json  MDE API pages of 10k records (@odata.nextLink)
 *   graph/{defender,directory}-role-assignments.page-1.json
 *   snapshot.yaml                              takenAt, facts.xdrTenantId, the exports taken
 *
 * mde/ holds only the machines and deviceavinfo pages, so the join-rule comparison with jq can
 * point both tools at exactly the same files.
 *
 *   npx ts-node --transpile-only bench/generate.ts <devices> <out-dir> [--seed <n>]
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTOSO_TENANT } from '../scripts/demo-snapshot/estate';
import { NOW_ISO } from '../scripts/demo-snapshot/util';
import { Estate, type DeviceFacts, type SubscriptionFacts } from './gen/estate';
import { writeEnvelope, writeJson } from './gen/pages';
import { avInfo, entraRoleAssignments, machine, pricings, resourceGraphVm, roleAssignments, settings, subscriptionRecord, xdrRoleAssignments } from './gen/records';

export const DEFAULT_SEED = 20261127;
/** Records per MDE API page: the API's maximum `$top`. */
export const MDE_PAGE_SIZE = 10_000;
/** Rows per Resource Graph page: the maximum `--first`. */
export const ARG_PAGE_SIZE = 1000;
/** Written last: a folder without it is an interrupted run. Not a .json file, so posture-lint ignores it. */
export const INFO_FILE = 'bench-info.txt';
/** Bump when the generated content changes, so stale snapshots are regenerated. */
const GENERATOR_VERSION = 2;

const MDE_API = 'https://api.security.microsoft.com/api';

export interface GenerateOptions {
  devices: number;
  seed?: number;
}

export interface GenerateSummary {
  files: number;
  bytes: number;
  /** Records written per export kind. */
  records: Record<string, number>;
}

/** What bench-info.txt says for these options: a snapshot with the same text can be reused. */
export function snapshotInfo(options: GenerateOptions): string {
  return `posture-lint bench snapshot v${GENERATOR_VERSION}: devices=${options.devices} seed=${options.seed ?? DEFAULT_SEED}\n`;
}

/** Yields `count` items in pages of `size`: [page number from 1, first index, items on the page, last page]. */
function* pagesOf(count: number, size: number): Generator<[number, number, number, boolean]> {
  const pages = Math.max(1, Math.ceil(count / size));
  for (let p = 0; p < pages; p++) yield [p + 1, p * size, Math.min(size, count - p * size), p === pages - 1];
}

function* range<T>(from: number, count: number, at: (i: number) => T | undefined): Generator<T> {
  for (let i = from; i < from + count; i++) {
    const v = at(i);
    if (v !== undefined) yield v;
  }
}

function manifest(): string {
  const kinds = ['arm.subscriptions', 'arm.roleAssignments', 'arm.virtualMachines', 'defender.pricings', 'defender.settings', 'mde.machines', 'mde.avHealth', 'xdr.roleAssignments', 'entra.roleAssignments'];
  return [
    '# Snapshot manifest of a generated benchmark snapshot (bench/generate.ts).',
    `tenantId: "${CONTOSO_TENANT}"`,
    `takenAt: "${NOW_ISO}"`,
    'facts:',
    `  xdrTenantId: "${CONTOSO_TENANT}"`,
    'exports:',
    ...kinds.map((k) => `  - kind: ${k}`),
    '',
  ].join('\n');
}

/**
 * MDE API pages (`value` + `@odata.nextLink`) of the devices that have a record (`recordOf` gives
 * it, or undefined): full pages of MDE_PAGE_SIZE records, each linking to `$skip` of the records
 * before the next, as the API pages (deviceavinfo has no record for some devices).
 */
function writeMdePages(out: string, kind: string, entity: string, context: string, devices: number, recordOf: (i: number) => unknown, summary: GenerateSummary): void {
  let next = 0;
  /** The next device with a record, and that record; undefined after the last. */
  const take = (): unknown => {
    while (next < devices) {
      const r = recordOf(next++);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  let pending = take();
  let written = 0;
  for (let page = 1; page === 1 || pending !== undefined; page++) {
    const records: unknown[] = [];
    while (pending !== undefined && records.length < MDE_PAGE_SIZE) {
      records.push(pending);
      pending = take();
    }
    written += records.length;
    summary.records[kind] = (summary.records[kind] ?? 0) + records.length;
    summary.bytes += writeEnvelope(path.join(out, 'mde', `${entity}.page-${page}.json`), {
      head: [['@odata.context', `${MDE_API}/$metadata#${context}`]],
      arrayKey: 'value',
      records,
      tail: pending === undefined ? [] : [['@odata.nextLink', `${MDE_API}/${entity}?$top=${MDE_PAGE_SIZE}&$skip=${written}`]],
    });
    summary.files++;
  }
}

/** Resource Graph REST pages over every VM: each device's VM, plus the few VMs never onboarded. */
function writeVmPages(out: string, estate: Estate, subs: readonly SubscriptionFacts[], summary: GenerateSummary): void {
  // A VM is (device index, extra?) packed in one number: 2i for the device's VM, 2i+1 for the extra one.
  const vms: number[] = [];
  for (let i = 0; i < estate.devices; i++) {
    if (estate.isAzureVm(i)) vms.push(2 * i);
    if (estate.hasUnonboardedVm(i)) vms.push(2 * i + 1);
  }
  let device: DeviceFacts | undefined;
  for (const [page, first, count, last] of pagesOf(vms.length, ARG_PAGE_SIZE)) {
    const rows = range(first, count, (k) => {
      const i = vms[k] >> 1;
      if (device?.index !== i) device = estate.device(i);
      return resourceGraphVm(estate, subs[device.sub], device, (vms[k] & 1) === 1);
    });
    const skipToken = Buffer.from(`{"$id":"1","MaxRows":${ARG_PAGE_SIZE},"RowsToSkip":${first + count},"kind":"value"}`).toString('base64');
    summary.bytes += writeEnvelope(path.join(out, 'arm', `vms.page-${page}.json`), {
      head: [['totalRecords', vms.length], ['count', count]],
      arrayKey: 'data',
      records: rows,
      tail: [['facets', []], ['resultTruncated', 'false'], ...(last ? [] : [['$skipToken', skipToken] as const])],
    });
    summary.files++;
  }
  summary.records['arm.virtualMachines'] = vms.length;
}

/** Generates the snapshot into `outDir` (replaced), writing into a sibling folder first. */
export function generateSnapshot(outDir: string, options: GenerateOptions): GenerateSummary {
  const estate = new Estate(options.devices, options.seed ?? DEFAULT_SEED);
  const work = `${outDir}.partial`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const summary: GenerateSummary = { files: 0, bytes: 0, records: {} };
  const small = (file: string, value: unknown) => {
    summary.bytes += writeJson(path.join(work, file), value);
    summary.files++;
  };

  const subs = Array.from({ length: estate.subscriptions }, (_, j) => estate.subscription(j));
  small('arm/subscriptions.json', { value: subs.map(subscriptionRecord) });
  for (const s of subs) {
    small(`arm/${s.id}/role-assignments.json`, roleAssignments(estate, s));
    small(`defender/${s.id}/pricings.page-1.json`, pricings(s));
    small(`defender/${s.id}/settings.page-1.json`, settings(s));
  }
  small('graph/defender-role-assignments.page-1.json', xdrRoleAssignments(estate));
  small('graph/directory-role-assignments.page-1.json', entraRoleAssignments(estate));
  writeVmPages(work, estate, subs, summary);

  // Machines and deviceavinfo describe the same devices; each page re-derives its devices from the seed.
  writeMdePages(work, 'mde.machines', 'machines', 'Machines', estate.devices, (i) => {
    const d = estate.device(i);
    return machine(estate, subs[d.sub], d);
  }, summary);
  writeMdePages(work, 'mde.avHealth', 'deviceavinfo', 'DeviceAvInfo', estate.devices, (i) => avInfo(estate, estate.device(i)), summary);

  fs.writeFileSync(path.join(work, 'snapshot.yaml'), manifest());
  fs.writeFileSync(path.join(work, INFO_FILE), snapshotInfo(options));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(work, outDir);
  return summary;
}

/** True when `dir` holds a complete snapshot generated with these options. */
export function isReusable(dir: string, options: GenerateOptions): boolean {
  try {
    return fs.readFileSync(path.join(dir, INFO_FILE), 'utf8') === snapshotInfo(options);
  } catch {
    return false;
  }
}

/** `10k`, `100k`, `1M`, `2500` -> a device count. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args.splice(seedAt, 2)[1]) : DEFAULT_SEED;
  const devices = parseSize(args[0] ?? '');
  if (devices === undefined || args.length !== 2 || !Number.isInteger(seed)) {
    process.stderr.write('usage: ts-node --transpile-only bench/generate.ts <devices, e.g. 100k> <out-dir> [--seed <integer>]\n');
    process.exit(2);
  }
  const started = Date.now();
  const summary = generateSnapshot(path.resolve(args[1]), { devices, seed });
  process.stdout.write(`wrote ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(summary.records)}\n`);
}
