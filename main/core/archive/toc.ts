// The archive header and table of contents (ReadHead / ReadToc), shared by custom archives and the
// toc.dat of tar and directory dumps.
import type { ByteReader } from './byte-reader.ts';
import {
  ARCH_CUSTOM,
  ARCH_TAR,
  K_VERS_1_0,
  K_VERS_1_10,
  K_VERS_1_11,
  K_VERS_1_14,
  K_VERS_1_15,
  K_VERS_1_16,
  K_VERS_1_2,
  K_VERS_1_3,
  K_VERS_1_4,
  K_VERS_1_5,
  K_VERS_1_6,
  K_VERS_1_7,
  K_VERS_1_8,
  K_VERS_1_9,
  K_VERS_MAX,
  vers,
} from './constants.ts';
import { decoderOrUtf8 } from '../pg/server-encoding.ts';
import { DumpProblem } from './problem.ts';
import type { DumpOrigin } from './types.ts';

export interface ArchiveHead {
  version: number;
  versionText: string;
  /** 'none' | 'gzip' | 'lz4' | 'zstd' | 'unknown' */
  algorithm: string;
  compression: string;
  /** Who wrote it, as the header says (archive 1.4+ names the database, 1.10+ both versions). */
  origin: DumpOrigin;
}

export interface TocEntry {
  dumpId: number;
  hadDumper: boolean;
  desc: string;
  tag: string;
  namespace: string | null;
  hasCopyStmt: boolean;
  /** TABLE DATA entries only */
  copyStmt?: string;
  /** custom format */
  dataState?: number;
  dataPos?: number;
  /** custom format: the bytes of the file that hold the entry's data offset, the only ones pg_dump rewrites when it finishes */
  offsetBytes?: { start: number; end: number };
  /** tar and directory formats */
  filename?: string | null;
}

export type TocSqlVisitor = (entry: { desc: string; tag: string }, sql: string) => void;

export interface Toc {
  head: ArchiveHead;
  entries: TocEntry[];
  end: number;
}

export async function readHead(r: ByteReader, expectedFormat: number, formatName: string): Promise<ArchiveHead> {
  r.context = 'the archive header';
  const magic = (await r.bytes(5)).toString('latin1');
  if (magic !== 'PGDMP') {
    throw new DumpProblem(`the ${formatName} has no PGDMP signature: it is not a pg_dump archive`);
  }
  const vmaj = await r.u8();
  const vmin = await r.u8();
  const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? await r.u8() : 0;
  const version = vers(vmaj, vmin, vrev);
  const versionText = `${vmaj}.${vmin}-${vrev}`;
  if (version < K_VERS_1_0 || version > K_VERS_MAX) {
    throw new DumpProblem(`archive version ${versionText} is outside the 1.0–1.16 range this check understands: use a matching pg_restore --list to inspect it`);
  }
  r.intSize = await r.u8();
  r.offSize = version >= K_VERS_1_7 ? await r.u8() : r.intSize;
  // Wider integers would lose precision in a JS number; pg_dump has only ever written 4 and 8.
  if (r.intSize < 1 || r.intSize > 8 || r.offSize < 1 || r.offSize > 8) {
    throw new DumpProblem(`the archive header declares ${r.intSize}-byte integers and ${r.offSize}-byte offsets: the header is corrupt`);
  }
  const fmt = await r.u8();
  if (fmt !== expectedFormat) {
    const found = fmt === ARCH_CUSTOM ? 'a custom-format archive' : fmt === ARCH_TAR ? 'the TOC of a tar or directory dump' : `an unknown format (code ${fmt})`;
    throw new DumpProblem(`the ${formatName} header says it is ${found}, which does not match the dump format being checked`);
  }
  let algorithm = 'none';
  let compression = 'none';
  if (version >= K_VERS_1_15) {
    const algo = await r.u8();
    algorithm = ['none', 'gzip', 'lz4', 'zstd'][algo] ?? 'unknown';
    compression = algorithm === 'unknown' ? `unknown (${algo})` : algorithm;
  } else if (version >= K_VERS_1_2) {
    const level = version < K_VERS_1_4 ? await r.u8() : await r.int();
    if (level !== 0) {
      algorithm = 'gzip';
      compression = level === -1 ? 'gzip' : `gzip (level ${level})`;
    }
  } else {
    algorithm = compression = 'gzip';
  }
  const origin: DumpOrigin = {};
  if (version >= K_VERS_1_4) {
    for (let i = 0; i < 7; i++) await r.int(); // creation time as struct tm fields
    const database = await r.text();
    if (database !== null) origin.database = database;
  }
  if (version >= K_VERS_1_10) {
    const serverVersion = await r.text();
    const pgDumpVersion = await r.text();
    if (serverVersion !== null) origin.serverVersion = serverVersion;
    if (pgDumpVersion !== null) origin.pgDumpVersion = pgDumpVersion;
  }
  return { version, versionText, algorithm, compression, origin };
}

/**
 * `onSql`, when given, is told every SQL string an entry carries, as pg_restore would send each (one
 * query string apiece): its definition, its drop statement (--clean) and its COPY statement (sent
 * before its data), in the TOC's order, with the entry's desc and tag (read as latin1).
 */
export async function readToc(r: ByteReader, head: ArchiveHead, extra: 'offset' | 'filename', onSql?: TocSqlVisitor): Promise<Toc> {
  const v = head.version;
  r.context = 'the TOC';
  const count = await r.int();
  // No upper bound is needed: every entry consumes bytes, so a corrupt count runs into the end.
  if (count < 0) throw new DumpProblem(`the TOC claims ${count} entries: the archive is corrupt`);
  // Archive 1.16 gained a relkind int after tableam. Decide once, on the first entry, whether it is
  // there: the withOids string that follows must then read "true" or "false".
  let hasRelkind: boolean | undefined = v >= K_VERS_1_16 ? undefined : false;
  let encoding: string | undefined;
  const raw: { entry: Omit<TocEntry, 'tag' | 'namespace'>; tag: Buffer | null; ns: Buffer | null; copy: Buffer | null }[] = [];

  const readTail = async (withRelkind: boolean, label: string): Promise<void> => {
    if (withRelkind) await r.int();
    await r.skipStr(); // owner
    if (v >= K_VERS_1_9) {
      const withOids = await r.text();
      if (withOids !== 'true' && withOids !== 'false') {
        throw new DumpProblem(`${label} has an unreadable field layout: the TOC is corrupt`);
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const label = `TOC entry ${i + 1} of ${count}`;
    r.context = label;
    const dumpId = await r.int();
    if (dumpId <= 0) throw new DumpProblem(`${label} has dump id ${dumpId}: the TOC is corrupt`);
    const hadDumper = (await r.int()) !== 0;
    if (v >= K_VERS_1_8) await r.skipStr(); // tableoid
    await r.skipStr(); // oid
    const tag = await r.ownedStr();
    const desc = (await r.text()) ?? '';
    if (v >= K_VERS_1_11) await r.int(); // section
    const visited = { desc, tag: tag?.toString('latin1') ?? '' };
    if (desc === 'ENCODING' || onSql) {
      const defn = (await r.text()) ?? '';
      if (desc === 'ENCODING') encoding = /'([^']*)'/.exec(defn)?.[1];
      onSql?.(visited, defn);
    } else {
      await r.skipStr(); // defn
    }
    if (onSql) onSql(visited, (await r.text()) ?? '');
    else await r.skipStr(); // dropStmt
    const copyStmt = v >= K_VERS_1_3 ? await r.str() : null;
    if (onSql && copyStmt) onSql(visited, copyStmt.toString('utf8'));
    const hasCopyStmt = copyStmt !== null && copyStmt.length > 0;
    const copy = hasCopyStmt && desc === 'TABLE DATA' ? Buffer.from(copyStmt) : null;
    const ns = v >= K_VERS_1_6 ? await r.ownedStr() : null;
    if (v >= K_VERS_1_10) await r.skipStr(); // tablespace
    if (v >= K_VERS_1_14) await r.skipStr(); // tableam
    if (hasRelkind === undefined) {
      const mark = r.pos;
      try {
        await readTail(true, label);
        hasRelkind = true;
      } catch (err) {
        if (!(err instanceof DumpProblem)) throw err;
        r.pos = mark;
        await readTail(false, label);
        hasRelkind = false;
      }
    } else {
      await readTail(hasRelkind, label);
    }
    if (v >= K_VERS_1_5) {
      while (!(await r.skipStr())); // dependency dump ids, NULL-terminated
    }
    const entry: Omit<TocEntry, 'tag' | 'namespace'> = { dumpId, hadDumper, desc, hasCopyStmt };
    if (extra === 'offset') {
      const start = r.pos;
      const { state, pos } = await r.offset(v);
      entry.dataState = state;
      entry.dataPos = pos;
      if (v < K_VERS_1_7) await r.int(); // data length, dropped in 1.7
      entry.offsetBytes = { start, end: r.pos };
    } else {
      entry.filename = (await r.text()) || null;
    }
    raw.push({ entry, tag, ns, copy });
  }
  // Names are stored in the database encoding, which only the ENCODING entry reveals.
  const decoder = decoderOrUtf8(encoding);
  const entries = raw.map(({ entry, tag, ns, copy }) => ({
    ...entry,
    tag: tag ? decoder.decode(tag) : '',
    namespace: ns ? decoder.decode(ns) : null,
    ...(copy ? { copyStmt: decoder.decode(copy) } : {}),
  }));
  return { head, entries, end: r.pos };
}
