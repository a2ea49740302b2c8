// Who is writing a temp file. BACKUP_DIR may be a volume two hosts share (NFS): a pid means something
// only on the host that has it, so host B's start-up, finding host A's running write's pid dead here,
// removed its temp. A temp's name therefore says the host and the pid that claim it
// (`.<name>.<pid>@<host>-<random>.tmp`): this host's are judged by their pid, as before; another
// host's are left to that host, unless nothing in them has changed for OTHER_HOST_TEMP_MAX_AGE_MS
// (that host is gone, or crashed and was never started again).
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** The longest host part of a temp's name: a backup's own name leaves room for little more under NAME_MAX. */
const MAX_HOST_TAG = 24;

/**
 * A host name as a temp's name carries it: letters, digits, ".", "_" and "-" (others become "_");
 * a longer one is cut and keeps a hash of the whole, so two long names that share a start differ.
 */
export function hostTagOf(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_') || 'host';
  if (safe.length <= MAX_HOST_TAG) return safe;
  return `${safe.slice(0, MAX_HOST_TAG - 9)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

export const HOST_TAG = hostTagOf(hostname());

/** Another host's temp that has not changed for this long is taken for abandoned: 24 hours. */
export const OTHER_HOST_TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** `<pid>@<host>-<random>`: the claim in a temp's name (fsutil/durable.ts, backup/import-upload.ts). */
export function tempClaim(pid: number = process.pid, tag: string = randomBytes(4).toString('hex'), host: string = HOST_TAG): string {
  return `${pid}@${host}-${tag}`;
}

/** A claim as a regular expression's source: the pid, then the host (absent in names older Holdfasts wrote). */
export const TEMP_CLAIM_SOURCE = `(\\d+)(?:@([A-Za-z0-9._-]{1,${MAX_HOST_TAG}}))?-[0-9a-f]{8}`;
