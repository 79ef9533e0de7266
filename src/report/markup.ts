/**
 * The one markup sanitiser: everything a rule file (which may come from a pull request) or an
 * export says reaches a rendered report (SARIF `help.markdown`, the markdown reports, the HTML page)
 * as inert text. No raw HTML, no image, no link but to an `https:` page posture-lint writes itself
 * from a reference, no autolink of a bare URL, an address, an issue reference (`#1`, `GH-1`) or a
 * mention; control and bidi characters as escapes (report/text.ts).
 */
import { printable, visible } from './text';

/**
 * A reference as a link target: only an absolute `https:` URL without credentials. `javascript:`,
 * `data:`, `file:` or `http:` stay text, so a rule cannot link readers to a script or an
 * unencrypted page.
 */
export function httpsUrl(reference: string): URL | undefined {
  if (!/^https:\/\//i.test(reference.trim())) return undefined;
  try {
    const url = new URL(reference.trim());
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url : undefined;
  } catch {
    return undefined;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text as inert Markdown (GitHub-flavoured): the punctuation of links, images, emphasis, code,
 * math and tables backslash-escaped (`[` and `]` escaped, so no link or image can open), `&`, `<` and `>` as entities (no HTML, no `<url>`
 * autolink), and a zero-width space where GitHub would autolink: after `@` (mentions, addresses)
 * and a leading `#` before a word,
 * in `GH-1`, in `://` and after `www`. With `oneLine`, line breaks become spaces (table cells);
 * otherwise each line stays a line.
 */
export function inertMarkdown(text: string, options: { oneLine?: boolean } = {}): string {
  const shown = options.oneLine ? printable(text.replace(/\s*[\r\n]+\s*/g, ' ')) : visible(text.replace(/\r\n?/g, '\n'));
  return shown
    .replace(/[\\`*_[\]|~$]/g, '\\$&')
    .replace(/(^|[^\w])#(?=\w)/g, '$1#\u200b')
    .replace(/@(?=\w)/g, '@\u200b')
    .replace(/\b(GH)-(?=\d)/gi, '$1\u200b-')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\b(www)\./gi, '$1\u200b.')
    .replace(/[&<>]/g, (c) => ENTITIES[c]);
}

/** A reference as a Markdown list item: a link named by its host and path when it is https, else inert text. */
export function markdownReference(reference: string): string {
  const url = httpsUrl(reference);
  if (url === undefined) return inertMarkdown(reference, { oneLine: true });
  const label = inertMarkdown(`${url.host}${url.pathname === '/' ? '' : url.pathname}`, { oneLine: true });
  // The target is the URL as parsed: percent-encoded, so no ')' or space ends it early.
  return `[${label}](${url.href.replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)})`;
}
