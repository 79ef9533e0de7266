/**
 * Snapshot facts: values about the snapshot as a whole (e.g. the Defender XDR tenant id), declared by
 * the manifest or derived from evidence in the exports. The derivation is a table, so adding a fact
 * is adding a row.
 */
import { diagnostic, type Diagnostic } from '../diagnostics';
import type { ManifestFact } from './manifest';
import type { Collection, Fact, FactEvidence } from './types';
import { getPath } from './json-util';

export interface FactSource {
  collection: string;
  /** Dotted path of the field in the normalised record. */
  field: string;
  /** Human description of the evidence, used in messages. */
  label: string;
}

export interface FactDefinition {
  name: string;
  sources: readonly FactSource[];
  /** Only values of this shape count as evidence. */
  accept: RegExp;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const FACTS: readonly FactDefinition[] = [
  {
    name: 'xdrTenantId',
    accept: GUID,
    sources: [
      { collection: 'mde.alerts', field: 'aadTenantId', label: 'MDE alerts (aadTenantId)' },
      { collection: 'graph.alerts', field: 'tenantId', label: 'Graph security alerts (tenantId)' },
      { collection: 'graph.incidents', field: 'tenantId', label: 'Graph security incidents (tenantId)' },
    ],
  },
];

/**
 * Derives every fact. Evidence keeps one example per distinct value and source (compared
 * case-insensitively, reported lower-case). All evidence agrees: that value. Evidence disagrees and
 * nothing declared: no value and an error. Declared: the declared value wins; disagreeing evidence
 * is a warning.
 */
export function deriveFacts(
  collections: ReadonlyMap<string, Collection>,
  declared: ReadonlyMap<string, ManifestFact>,
  manifestFile: string | undefined,
): { facts: Map<string, Fact>; diagnostics: Diagnostic[] } {
  const facts = new Map<string, Fact>();
  const diagnostics: Diagnostic[] = [];
  for (const def of FACTS) {
    const evidence = collectEvidence(def, collections);
    const values = [...new Set(evidence.map((e) => e.value))].sort();
    const fact: Fact = { name: def.name, declared: false, evidence };
    const declaration = declared.get(def.name);
    if (declaration !== undefined) {
      fact.value = declaration.value;
      fact.declared = true;
      const others = values.filter((v) => v !== declaration.value);
      if (others.length > 0) {
        fact.conflicting = [...new Set([declaration.value, ...values])].sort();
        diagnostics.push(
          diagnostic(
            'warning',
            'fact-conflict',
            `${def.name} is declared as ${declaration.value} but the exports say ${describe(evidence, others)}; using the declared value`,
            { file: manifestFile, position: declaration.position },
          ),
        );
      }
    } else if (values.length === 1) {
      fact.value = values[0];
    } else if (values.length > 1) {
      fact.conflicting = values;
      diagnostics.push(
        diagnostic(
          'error',
          'fact-conflict',
          `the exports disagree on ${def.name}: ${describe(evidence, values)}; declare it under facts in snapshot.yaml or remove the export from the wrong tenant`,
        ),
      );
    }
    facts.set(def.name, fact);
  }
  return { facts, diagnostics };
}

function collectEvidence(def: FactDefinition, collections: ReadonlyMap<string, Collection>): FactEvidence[] {
  const evidence: FactEvidence[] = [];
  for (const source of def.sources) {
    const seen = new Set<string>();
    for (const record of collections.get(source.collection)?.records ?? []) {
      const raw = getPath(record.data, source.field);
      if (typeof raw !== 'string' || !def.accept.test(raw)) continue;
      const value = raw.toLowerCase();
      if (seen.has(value)) continue;
      seen.add(value);
      evidence.push({ value, origin: record.origin, source: source.label });
    }
  }
  return evidence;
}

/** `<value> (<source>, <file> <pointer>)`, one example per value, joined. */
function describe(evidence: readonly FactEvidence[], values: readonly string[]): string {
  return values
    .map((v) => {
      const e = evidence.find((x) => x.value === v);
      return e === undefined ? v : `${v} (${e.source}, ${e.origin.file} ${e.origin.pointer})`;
    })
    .join(' vs ');
}
