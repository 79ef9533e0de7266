/**
 * Message templates: `{{path}}` inserts a value of the record (joins and lets included),
 * `{{path | count}}` the number of elements, `{{path | join}}` a comma-separated list,
 * `{{path | count | plural: device is / devices are}}` the number with the words that agree with it,
 * `{{path | basename}}` the last segment of an ARM id (the resource's name),
 * `{{$params.name}}` a parameter and `{{$facts.name}}` a snapshot fact, and
 * `{{#path}}…{{/path}}` keeps its text only when the value is present and not empty, and
 * `{{^path}}…{{/path}}` only when it is not, so one message can say only what is wrong.
 * Parsed once per rule.
 */
import { display } from './values';
import { didYouMean } from '../suggest';
import { Bound, elements, parsePath, resolvePath, type ParsedPath } from './path';

export const TEMPLATE_FILTERS = ['count', 'join', 'first', 'lower', 'upper', 'basename', 'plural: <one> / <many>'] as const;
/** `plural: device is / devices are`: the number, then the words for one or for any other number. */
type Filter = Exclude<(typeof TEMPLATE_FILTERS)[number], `plural${string}`> | { plural: [string, string] };

const PLURAL = /^plural\s*:\s*([^/]*\S)\s*\/\s*([^/]*\S)\s*$/;

/**
 * The message for a filter there is none of, naming the one meant as it would be accepted: a bare
 * `plural` is refused, so a misspelt plural is offered with its words (`plurl: is / are` means
 * `plural: is / are`), or with the placeholders when it has none.
 */
function unknownFilter(f: string): string {
  const colon = f.indexOf(':');
  const name = colon < 0 ? f : f.slice(0, colon).trim();
  const words = colon < 0 ? '' : f.slice(colon);
  const show = (n: string) => (n !== 'plural' ? n : PLURAL.test(`plural${words}`) ? `plural${words}` : TEMPLATE_FILTERS[TEMPLATE_FILTERS.length - 1]);
  return `unknown template filter '${f}'${didYouMean(name, TEMPLATE_FILTERS.map((n) => n.split(':')[0]), show)} (known: ${TEMPLATE_FILTERS.join(', ')})`;
}

type Part =
  | { literal: string }
  | { section: ParsedPath; inverted: boolean; parts: Part[] }
  | { root: 'record'; path: ParsedPath; filters: Filter[] }
  | { root: 'params' | 'facts'; name: string; filters: Filter[] };

export interface Template {
  text: string;
  parts: Part[];
  /** Record paths used, for checks at load (their first names must be fields, joins or lets). */
  paths: ParsedPath[];
  facts: string[];
  params: string[];
}

/** Parse a template; errors are messages with the character offset of the placeholder. */
export function parseTemplate(text: string): { template: Template; errors: { offset: number; message: string }[] } {
  const errors: { offset: number; message: string }[] = [];
  const paths: ParsedPath[] = [];
  const facts: string[] = [];
  const params: string[] = [];
  const root: Part[] = [];
  /** Open sections, innermost last, with where they opened. */
  const open: { path: ParsedPath; inverted: boolean; parts: Part[]; offset: number }[] = [];
  const current = () => (open.length ? open[open.length - 1].parts : root);
  const re = /\{\{(.*?)\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) current().push({ literal: text.slice(last, m.index) });
    last = m.index + m[0].length;
    const inner = m[1].trim();
    if (inner.startsWith('#') || inner.startsWith('^') || inner.startsWith('/')) {
      const path = parsePath(inner.slice(1).trim());
      if (typeof path === 'string') {
        errors.push({ offset: m.index, message: `'{{${inner}}}': ${path}` });
        continue;
      }
      if (!inner.startsWith('/')) {
        paths.push(path);
        open.push({ path, inverted: inner.startsWith('^'), parts: [], offset: m.index });
      } else if (open.length === 0 || open[open.length - 1].path.text !== path.text) {
        errors.push({ offset: m.index, message: `'{{${inner}}}' closes a section that is not open` });
      } else {
        const section = open.pop()!;
        current().push({ section: section.path, inverted: section.inverted, parts: section.parts });
      }
      continue;
    }
    const [expr, ...filterTexts] = inner.split('|').map((s) => s.trim());
    const filters: Filter[] = [];
    for (const f of filterTexts) {
      const plural = PLURAL.exec(f);
      if (plural) filters.push({ plural: [plural[1], plural[2]] });
      else if (f.startsWith('plural')) errors.push({ offset: m.index, message: `'${f}': plural takes the words for one and for many, as in 'plural: device is / devices are'` });
      else if ((TEMPLATE_FILTERS as readonly string[]).includes(f)) filters.push(f as Filter);
      else errors.push({ offset: m.index, message: unknownFilter(f) });
    }
    const special = /^\$(params|facts)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (special) {
      const name = special[2];
      const where = special[1] === 'params' ? 'params' : 'facts';
      (where === 'params' ? params : facts).push(name);
      current().push({ root: where, name, filters });
      continue;
    }
    if (expr.startsWith('$') && !expr.startsWith('$.') && !expr.startsWith('$[')) {
      errors.push({ offset: m.index, message: `'{{${expr}}}': only $params.<name> and $facts.<name> are special in templates` });
      continue;
    }
    const path = parsePath(expr);
    if (typeof path === 'string') {
      errors.push({ offset: m.index, message: `'{{${m[1]}}}': ${path}` });
      continue;
    }
    paths.push(path);
    current().push({ root: 'record', path, filters });
  }
  if (last < text.length) current().push({ literal: text.slice(last) });
  const unclosed = text.slice(last).indexOf('{{');
  if (unclosed >= 0) errors.push({ offset: last + unclosed, message: "'{{' is never closed with '}}'" });
  for (const s of open) errors.push({ offset: s.offset, message: `section '{{#${s.path.text}}}' is never closed with '{{/${s.path.text}}}'` });
  return { template: { text, parts: root, paths, facts, params }, errors };
}

/**
 * Each record path of a template and whether its whole value is printed: a section and a `count`
 * read only whether the value is there and how many elements it has.
 */
export function templateUses(t: Template): { path: ParsedPath; whole: boolean }[] {
  const out: { path: ParsedPath; whole: boolean }[] = [];
  const walk = (parts: readonly Part[]) => {
    for (const p of parts) {
      if ('section' in p) {
        out.push({ path: p.section, whole: false });
        walk(p.parts);
      } else if ('root' in p && p.root === 'record') {
        out.push({ path: p.path, whole: p.filters[0] !== 'count' });
      }
    }
  };
  walk(t.parts);
  return out;
}

function applyFilters(value: unknown, filters: Filter[]): unknown {
  let v = value;
  for (const f of filters) {
    if (typeof f === 'object') v = typeof v === 'number' ? `${v} ${v === 1 ? f.plural[0] : f.plural[1]}` : v;
    else if (f === 'count') v = elements(v).length;
    else if (f === 'join') v = elements(v).map(display).join(', ') || '(none)';
    else if (f === 'first') v = elements(v)[0];
    else if (f === 'lower') v = typeof v === 'string' ? v.toLowerCase() : v;
    // The last segment of an ARM id: the resource's name, as `/…/virtualMachines/web01` names web01.
    else if (f === 'basename') v = typeof v === 'string' ? (v.split('/').filter((s) => s !== '').pop() ?? v) : v;
    else v = typeof v === 'string' ? v.toUpperCase() : v;
  }
  return v;
}

export interface TemplateValues {
  params: Readonly<Record<string, unknown>>;
  facts: ReadonlyMap<string, string>;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/**
 * Characters one rendered template (a message, a resource id or name) may hold. A rule from a pull
 * request could print a 300,000-character parameter a thousand times per finding; rendering stops
 * at the cap, so no finding costs more than this however the template is written.
 */
export const MAX_RENDERED_CHARS = 4_096;
/** Ends a rendered template that was cut: the report says so where the text stops. */
export const CUT_MARK = `… (cut at ${MAX_RENDERED_CHARS.toLocaleString('en-US')} characters)`;

/** Appends to `out` until it holds more than the cap; false once it does (the rest is not rendered). */
function renderParts(parts: readonly Part[], scope: Bound, values: TemplateValues, out: { text: string }): boolean {
  const add = (text: string): boolean => {
    out.text += text.length > MAX_RENDERED_CHARS ? text.slice(0, MAX_RENDERED_CHARS + 1) : text;
    return out.text.length <= MAX_RENDERED_CHARS;
  };
  for (const p of parts) {
    if ('literal' in p) {
      if (!add(p.literal)) return false;
      continue;
    }
    if ('section' in p) {
      if (present(resolvePath(p.section, scope)) !== p.inverted && !renderParts(p.parts, scope, values, out)) return false;
      continue;
    }
    let v: unknown;
    if (p.root === 'record') v = resolvePath(p.path, scope);
    else if (p.root === 'params') v = Object.prototype.hasOwnProperty.call(values.params, p.name) ? values.params[p.name] : undefined;
    else v = values.facts.get(p.name);
    if (!add(display(applyFilters(v, p.filters)))) return false;
  }
  return true;
}

/** The template's text for one finding, at most MAX_RENDERED_CHARS characters and then CUT_MARK. */
export function renderTemplate(t: Template, scope: Bound, values: TemplateValues): string {
  const out = { text: '' };
  return renderParts(t.parts, scope, values, out) ? out.text : `${out.text.slice(0, MAX_RENDERED_CHARS)}${CUT_MARK}`;
}
