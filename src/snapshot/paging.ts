/**
 * Whether a group of pages (one collection, or one manifest export) is complete, from what the
 * pages say about each other. Files carry no URL of their own, only the next page's, so chains are
 * checked wherever the data allows:
 * - every chain of next links needs a last page (one without a next link): fewer such pages than
 *   chains means a last page is missing;
 * - a next link that says how many records came before (`$skip=N`, as Defender for Endpoint and
 *   some Graph lists write it) gives each page's record count: a page that holds fewer records than
 *   its link skips past the previous page's has a page missing before it;
 * - a total on every page (Resource Graph `totalRecords`, OData `@odata.count`) must equal the
 *   records of the pages together.
 * - when those agree, pages numbered as the exporter numbers them (`.page-N.`) must run from 1.
 * Opaque tokens (ARM `$skiptoken`, Resource Graph `$skipToken`) say nothing more; the manifest's
 * page list with record counts covers them (see load.ts).
 */
import { cmp } from '../diagnostics';
import type { LoadedFile } from './types';
import { plural } from '../words';

export interface PagingProblem {
  /** Identifies the problem, so the manifest's check and the collections' do not report it twice. */
  key: string;
  message: string;
}

/** Query parameters that only move through a list: without them, a next link names its chain. */
const SKIP_PARAMETER = /^\$?skip(?:token)?$/i;

/** `byNumbers`: also check `.page-N.` numbers (not when the manifest lists the pages itself). */
export function incompletePaging(group: readonly string[], files: ReadonlyMap<string, LoadedFile>, byNumbers = true): PagingProblem | undefined {
  const pages = group.map((file) => files.get(file)).filter((f): f is LoadedFile => f !== undefined);
  if (pages.length === 0) return undefined;
  const messages = [...lastPages(group, pages), ...skipArithmetic(pages), ...totals(pages)];
  if (messages.length === 0 && byNumbers) messages.push(...pageNumbers(group, files));
  // The message names the files, so groups that share the problem (Resource Graph rows that feed two collections) share the key.
  return messages.length === 0 ? undefined : { key: messages.join('\n'), message: messages.join('; ') };
}

/** `<name>.page-<N>.<ext>`, as scripts/export-snapshot.sh and docs/exporting.md name pages, from 1. */
const NUMBERED_PAGE = /^(.*\.page-)([1-9]\d{0,5})(\.[a-z]+)$/;

/**
 * The last resort when the links agree: a chain that lost the page before its last (or its first,
 * when the second has no `$skip`) links like a complete one, but the numbers left show the gap.
 * A page that is there but did not load is not missing: its own error says what is wrong with it.
 */
function pageNumbers(group: readonly string[], files: ReadonlyMap<string, LoadedFile>): string[] {
  const highest = new Map<string, { n: number; file: string; ext: string }>();
  for (const file of group) {
    const m = NUMBERED_PAGE.exec(file);
    if (!m) continue;
    const n = Number(m[2]);
    if (n > (highest.get(m[1])?.n ?? 0)) highest.set(m[1], { n, file, ext: m[3] });
  }
  const out: string[] = [];
  for (const [prefix, last] of [...highest].sort(([a], [b]) => cmp(a, b))) {
    for (let k = last.n - 1; k >= 1; k--) {
      const page = `${prefix}${k}${last.ext}`;
      if (files.has(page)) continue;
      out.push(`${last.file} is numbered ${last.n} but page ${k} (${page}) is not there, so a page is missing; export all pages`);
      break;
    }
  }
  return out;
}

/** The chain a next link belongs to: the URL without its skip parameters (a Resource Graph token has none). */
function chainOf(nextLink: string): string {
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    return 'skip-token';
  }
  for (const name of [...url.searchParams.keys()]) if (SKIP_PARAMETER.test(name)) url.searchParams.delete(name);
  url.searchParams.sort();
  return url.toString().toLowerCase();
}

function lastPages(group: readonly string[], pages: readonly LoadedFile[]): string[] {
  const linked = pages.filter((p) => p.nextLink !== undefined);
  const ends = pages.length - linked.length;
  if (ends === 0) return [`every file carries a next-page link, so the last page is missing (${group.join(', ')}); export all pages`];
  const chains = new Set(linked.map((p) => chainOf(p.nextLink as string)));
  if (chains.size <= ends) return [];
  return [`${chains.size} lists are paged (${[...chains].sort().join(', ')}) but only ${ends} ${ends === 1 ? 'file has' : 'files have'} no next-page link, so a last page is missing; export all pages`];
}

/** `$skip=N` of a next link, when it has one. */
function skipOf(nextLink: string): number | undefined {
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    return undefined;
  }
  for (const [name, value] of url.searchParams) {
    if (name.toLowerCase() === '$skip' && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

function skipArithmetic(pages: readonly LoadedFile[]): string[] {
  const chains = new Map<string, Map<number, LoadedFile[]>>();
  for (const page of pages) {
    const skip = page.nextLink === undefined ? undefined : skipOf(page.nextLink);
    if (skip === undefined || page.present === undefined) continue;
    const chain = chains.get(chainOf(page.nextLink as string)) ?? new Map<number, LoadedFile[]>();
    // A page saved twice links to the same place as its copy: both follow the same page.
    chain.set(skip, [...(chain.get(skip) ?? []), page]);
    chains.set(chainOf(page.nextLink as string), chain);
  }
  const out: string[] = [];
  for (const chain of chains.values()) {
    let before = 0;
    for (const skip of [...chain.keys()].sort((a, b) => a - b)) {
      for (const page of chain.get(skip) as LoadedFile[]) {
        const held = page.present as number;
        if (held === skip - before) continue;
        const after = before === 0 ? 'the start of the list' : `the page that links to $skip=${before}`;
        out.push(`${page.file} links to $skip=${skip} but holds ${plural(held, 'record')} after ${after}, so ${skip - before > held ? 'a page before it is missing' : 'pages overlap or one was cut'}; export all pages`);
      }
      before = skip;
    }
  }
  return out;
}

/**
 * Pages that say the same total are one result (or several of the same size, one per page without
 * a next link). Resource Graph writes its total on every page; OData may write `@odata.count` on the
 * first page only, so it is checked only when every page of the group carries it.
 */
function totals(pages: readonly LoadedFile[]): string[] {
  const everyPageCounts = pages.every((p) => p.total !== undefined);
  const byTotal = new Map<number, LoadedFile[]>();
  for (const p of pages) {
    if (p.total === undefined || p.present === undefined || (p.total.field === '@odata.count' && !everyPageCounts)) continue;
    // `az graph query` writes total_records where REST writes totalRecords: the value says which result.
    byTotal.set(p.total.value, [...(byTotal.get(p.total.value) ?? []), p]);
  }
  const out: string[] = [];
  for (const [value, same] of byTotal) {
    const chains = same.filter((p) => p.nextLink === undefined).length;
    if (chains === 0) continue; // no last page: lastPages reports it
    const held = same.reduce((n, p) => n + (p.present as number), 0);
    if (held === chains * value) continue;
    const files = same.map((p) => p.file).join(', ');
    const say = same.length === 1 ? 'says' : 'say';
    const hold = same.length === 1 ? 'holds' : 'hold';
    const each = chains > 1 ? ` for each of ${chains} lists` : '';
    const why = held < chains * value ? 'a page is missing' : 'the pages overlap or do not belong together';
    out.push(`${files} ${say} ${same[0].total!.field} ${value}${each} but ${hold} ${plural(held, 'record')}, so ${why}; export all pages`);
  }
  return out;
}
