// The first bytes of a file, read once from its start: what sniffing a dump's format and checking a
// custom archive's rewritten header both need.
import { open, type FileHandle } from 'node:fs/promises';

/** Up to `length` bytes from the start of the file `openFile` opens (a plain read-only open unless the caller needs a stricter one); fewer if the file is shorter. */
export async function readFilePrefix(path: string, length: number, openFile: (path: string) => Promise<FileHandle> = (p) => open(p, 'r')): Promise<Buffer> {
  const handle = await openFile(path);
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
