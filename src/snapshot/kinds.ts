/**
 * The export kinds posture-lint understands. One table entry per kind (in kinds/*.ts): how to
 * recognise it, how to export it, its schema, how to normalise and identify its records.
 */
import { cmp } from '../diagnostics';
import { ARM_KINDS } from './kinds/arm';
import { DEFENDER_KINDS } from './kinds/defender';
import { GRAPH_KINDS } from './kinds/graph';
import { MDE_KINDS } from './kinds/mde';
import type { ExportKind } from './kinds/define';

export type { Detection, ExportKind, ExportSource, Identify, RecordIdentity, Signature } from './kinds/define';
export { resourceKey } from './kinds/define';

/** Every export kind, sorted by id. */
export const EXPORT_KINDS: readonly ExportKind[] = [...ARM_KINDS, ...DEFENDER_KINDS, ...MDE_KINDS, ...GRAPH_KINDS].sort((a, b) =>
  cmp(a.id, b.id),
);

const BY_ID = new Map(EXPORT_KINDS.map((k) => [k.id, k]));

export function exportKind(id: string): ExportKind | undefined {
  return BY_ID.get(id);
}
