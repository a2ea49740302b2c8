// The public shape of an inspection: what inspectArchive() answers and what each format's reader finds.

export type DumpFormat = 'custom' | 'directory' | 'tar' | 'plain';

export interface ArchiveTable {
  schema: string;
  name: string;
  hasData: boolean;
  /** Rows in its COPY data: plain scripts, and uncompressed custom archives when asked (copy-rows.ts). */
  rows?: number;
}

/** A TABLE DATA entry of an archive's TOC: what pg_restore --verbose names by dump id as it finishes. */
export interface ArchiveDataItem {
  dumpId: number;
  schema: string;
  name: string;
  /**
   * Whether its COPY loads the table itself. pg_dump --load-via-partition-root (and pg_dump 16+ on its
   * own for some hash partitions) copies through the root, so the rows may land in another partition.
   */
  intoItself: boolean;
}

/** What a dump says about where it came from: the header of an archive, the opening comments of a plain script. */
export interface DumpOrigin {
  database?: string;
  /** As pg_dump wrote it, e.g. "15.18 (Debian 15.18-1.pgdg120+1)". */
  serverVersion?: string;
  pgDumpVersion?: string;
}

export type ArchiveInspection =
  | {
      ok: true;
      format: DumpFormat;
      archiveVersion?: string;
      compression?: string;
      origin?: DumpOrigin;
      tables: ArchiveTable[];
      /** custom, directory and tar archives */
      dataItems?: ArchiveDataItem[];
      entryCount: number;
    }
  | { ok: false; format: DumpFormat; problem: string };

export interface InspectOptions {
  /**
   * Plain format only: whether the catalogue recorded the file as gzip-compressed. The file's content
   * decides how it is read either way; a mismatch is reported because a restore that trusts the
   * record would feed psql the wrong bytes.
   */
  gzip?: boolean;
  /** Stops the check: it then rejects with the signal's reason rather than report the dump damaged. */
  signal?: AbortSignal | undefined;
}

export type Findings = Omit<Extract<ArchiveInspection, { ok: true }>, 'ok' | 'format'>;
