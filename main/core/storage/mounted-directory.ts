// A second local or mounted directory (a NAS) as a destination, and the probe `destination test`
// runs on a medium that has no probe of its own.
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { HoldfastError } from '../model/errors.ts';
import type { Destination, TreeEntry } from './destination.ts';
import { LocalDirectoryDestination } from './local-directory.ts';
import { hashOf, probeBody } from './remote-object.ts';

/**
 * A second local or mounted directory (a NAS): the local medium's durable writes, but the directory
 * must already exist. An unmounted share's empty mount point would otherwise be created and filled
 * on the local disk, looking like a copy elsewhere.
 */
export class MountedDirectoryDestination extends LocalDirectoryDestination {
  override async put(key: string, source: Readable, expected: { sha256: string; size: number }): Promise<void> {
    await this.requireReachable();
    return super.put(key, source, expected);
  }

  override async putTree(key: string, sourceDir: string, expected: readonly TreeEntry[]): Promise<void> {
    await this.requireReachable();
    return super.putTree(key, sourceDir, expected);
  }

  async requireReachable(): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (!info?.isDirectory())
      throw new HoldfastError(
        'CONNECTION_FAILED',
        `Destination "${this.name}": ${this.root} is not a directory that exists.`,
        "Mount the share (or create the directory), then try again; Holdfast does not create a destination's root.",
      );
  }
}

export async function probe(destination: Destination): Promise<void> {
  const { key, body, expected } = probeBody();
  try {
    await destination.put(key, Readable.from([body]), expected);
    if ((await hashOf(await destination.open(key))).sha256 !== expected.sha256)
      throw new HoldfastError('VERIFY_FAILED', `Destination "${destination.name}" returned other bytes than were written.`, 'Check the disk or share.');
  } finally {
    await destination.remove(key).catch(() => undefined);
  }
}
