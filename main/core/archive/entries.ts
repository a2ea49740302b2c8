// What a TOC's entries mean to the rest of Holdfast: names for messages, the tables and data items an
// archive lists, and the entries whose data pg_restore will go looking for.
import { copyTarget, ident } from './identifiers.ts';
import type { Toc, TocEntry } from './toc.ts';
import type { ArchiveDataItem, ArchiveTable, Findings } from './types.ts';

export function who(e: TocEntry): string {
  return e.namespace ? `${ident(e.namespace)}.${ident(e.tag)}` : ident(e.tag);
}

export function describeData(e: TocEntry): string {
  if (e.desc === 'BLOBS') return `large-object data (dump id ${e.dumpId})`;
  if (e.desc === 'TABLE DATA') return `data block for ${who(e)} (dump id ${e.dumpId})`;
  return `${e.desc} data for ${who(e)} (dump id ${e.dumpId})`;
}

/** What a data file or tar member holds, for messages that already name the file. */
export function owner(e: TocEntry): string {
  if (e.desc === 'BLOBS') return `large objects (dump id ${e.dumpId})`;
  if (e.desc === 'TABLE DATA') return `table ${who(e)} (dump id ${e.dumpId})`;
  return `${e.desc} ${who(e)} (dump id ${e.dumpId})`;
}

/** What a custom, tar or directory archive found whole reports about itself. */
export function archiveFindings(toc: Toc): Findings {
  return {
    archiveVersion: toc.head.versionText,
    compression: toc.head.compression,
    origin: toc.head.origin,
    tables: tablesOf(toc.entries),
    dataItems: dataItemsOf(toc.entries),
    entryCount: toc.entries.length,
  };
}

/** One table's key in a map of an archive's tables (schema and name can hold any character but NUL). */
export const tableMapKey = (schema: string, name: string) => `${schema}\u0000${name}`;

export function tablesOf(entries: TocEntry[]): ArchiveTable[] {
  const key = tableMapKey;
  const withData = new Set(entries.filter((e) => e.desc === 'TABLE DATA').map((e) => key(e.namespace ?? '', e.tag)));
  const tables: ArchiveTable[] = [];
  const listed = new Set<string>();
  for (const e of entries) {
    if (e.desc !== 'TABLE') continue;
    const k = key(e.namespace ?? '', e.tag);
    listed.add(k);
    tables.push({ schema: e.namespace ?? '', name: e.tag, hasData: withData.has(k) });
  }
  // Data-only dumps carry TABLE DATA without TABLE entries; their tables still belong in the list.
  for (const e of entries) {
    if (e.desc !== 'TABLE DATA' || listed.has(key(e.namespace ?? '', e.tag))) continue;
    listed.add(key(e.namespace ?? '', e.tag));
    tables.push({ schema: e.namespace ?? '', name: e.tag, hasData: true });
  }
  return tables;
}

export function dataItemsOf(entries: TocEntry[]): ArchiveDataItem[] {
  return entries
    .filter((e) => e.desc === 'TABLE DATA')
    .map((e) => {
      const target = e.copyStmt === undefined ? undefined : copyTarget(e.copyStmt);
      return { dumpId: e.dumpId, schema: e.namespace ?? '', name: e.tag, intoItself: target !== undefined && target[0] === (e.namespace ?? '') && target[1] === e.tag };
    });
}

/** Entries whose data pg_restore will go looking for. */
export function dataEntries(entries: TocEntry[]): TocEntry[] {
  return entries.filter((e) => e.hadDumper);
}
