/** Whether a group of pages is complete: pages cannot be chained by URL, so a group whose every file carries a next link lacks its last page. */
import type { LoadedFile } from './types';

export function incompletePaging(group: readonly string[], files: ReadonlyMap<string, LoadedFile>): { key: string; message: string } | undefined {
  if (group.length === 0 || !group.every((f) => files.get(f)?.nextLink !== undefined)) return undefined;
  return {
    key: group.join('\n'),
    message: `every file carries a next-page link, so the last page is missing (${group.join(', ')}); export all pages`,
  };
}
