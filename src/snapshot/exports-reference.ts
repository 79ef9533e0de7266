/** The export reference (docs/exports.md), generated from the export kind table so it cannot go stale. */
import { EXPORT_KINDS } from './kinds';

const SOURCES: Record<string, string> = {
  arm: 'Azure Resource Manager',
  defender: 'Microsoft Defender for Cloud',
  mde: 'Microsoft Defender for Endpoint',
  graph: 'Microsoft Graph (Defender XDR, Entra)',
};

export function exportsReference(): string {
  const lines = [
    '# Export kinds',
    '',
    '<!-- Generated from src/snapshot/kinds/ by `npm run generate`; do not edit by hand. -->',
    '',
    'posture-lint recognises each file by its content, whatever its name or folder. Each kind is one',
    'collection that rules read (`for:` and `join.from:`). Envelopes (`{value, nextLink}`, OData',
    '`@odata.nextLink`, bare arrays, single objects, Resource Graph `{data}` in REST and `az graph query`',
    'form) are unwrapped, pages split over several files merge, and `az`-flattened records are lifted',
    'into their REST shape. The command shown produces a file the loader reads unchanged; follow',
    'every next link and save each page as its own file.',
    '',
  ];
  for (const source of Object.keys(SOURCES)) {
    const kinds = EXPORT_KINDS.filter((k) => k.source === source);
    if (kinds.length === 0) continue;
    lines.push(`## ${SOURCES[source]}`, '', '| collection | what | how to export | schema |', '| --- | --- | --- | --- |');
    for (const k of kinds) {
      lines.push(`| \`${k.id}\` | ${k.title} | \`${k.howToExport.replace(/\|/g, '\\|')}\` | [schema](../${k.schemaFile}) |`);
    }
    lines.push('');
  }
  lines.push(
    '## What the fields rules rely on mean',
    '',
    'Some fields mean something else than their name suggests, or differ between the shapes of one kind;',
    'rules read them as below, whatever shape the export had. Fields marked "added by posture-lint" are',
    'worked out by the loader (src/snapshot/normalize.ts, src/snapshot/servers.ts) and carry no value of',
    'the export itself.',
    '',
  );
  for (const k of EXPORT_KINDS.filter((kind) => (kind.semantics ?? []).length > 0)) {
    lines.push(`### \`${k.id}\``, '', '| field | meaning | source |', '| --- | --- | --- |');
    for (const m of k.semantics ?? []) {
      const sources = m.source.split(', ').map((url) => `<${url}>`).join(', ');
      lines.push(`| \`${m.field}\` | ${m.meaning.replace(/\|/g, '\\|')} | ${sources} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
