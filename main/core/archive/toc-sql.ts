// Every SQL string an archive's table of contents carries, as pg_restore would send each: definitions,
// drop statements (--clean) and COPY statements, of every entry whatever its section. A restore's
// check of what the archive runs (restore/executed-functions.ts) reads `pg_restore --schema-only`'s
// output, which leaves out the data section's entries (sequence values, large objects), every COPY
// statement and every drop statement; pg_restore sends those too, so they are read from here.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ByteReader, truncatedFile } from './byte-reader.ts';
import { ARCH_CUSTOM, ARCH_TAR } from './constants.ts';
import { DumpProblem } from './problem.ts';
import { bufferSource, type Source, withFile } from './source.ts';
import { walkTar } from './tar.ts';
import { readHead, readToc, type TocSqlVisitor } from './toc.ts';

export type ArchiveFormat = 'custom' | 'directory' | 'tar';

/** Tells `onSql` each SQL string of the archive's TOC, in its order, with the entry it belongs to. */
export async function forEachTocSql(path: string, format: ArchiveFormat, onSql: TocSqlVisitor): Promise<void> {
  if (format === 'custom') {
    await withFile(path, 'custom-format archive', async (src) => {
      const r = new ByteReader(src, 0, src.size, truncatedFile);
      await readToc(r, await readHead(r, ARCH_CUSTOM, 'archive'), 'offset', onSql);
    });
  } else if (format === 'directory') {
    const plain = join(path, 'toc.dat');
    if (existsSync(plain)) await withFile(plain, 'toc.dat', (src) => readTocSql(src, 0, src.size, onSql));
    else {
      const src = bufferSource(gunzipSync(await readFile(join(path, 'toc.dat.gz'))));
      await readTocSql(src, 0, src.size, onSql);
    }
  } else {
    await withFile(path, 'tar archive', async (src) => {
      const member = (await walkTar(src, src.size)).get('toc.dat');
      if (!member) throw new DumpProblem('the tar archive has no toc.dat member: it is not a pg_dump tar-format dump');
      await readTocSql(src, member.start, member.start + member.size, onSql);
    });
  }
}

async function readTocSql(src: Source, start: number, end: number, onSql: TocSqlVisitor): Promise<void> {
  const r = new ByteReader(src, start, end, truncatedFile);
  await readToc(r, await readHead(r, ARCH_TAR, 'toc.dat'), 'filename', onSql);
}
