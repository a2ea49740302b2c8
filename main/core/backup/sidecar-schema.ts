// A backup's sidecar (<file>.json) as `holdfast adopt` accepts it: enough to re-catalogue the backup;
// unknown fields pass through, so a sidecar from a newer Holdfast is still read.
import { z } from 'zod';

export const SidecarSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    filename: z.string().regex(/^backup-[^/\\]+$/),
    timestamp: z.string(),
    size: z.number().int().nonnegative(),
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    format: z.enum(['custom', 'plain', 'directory', 'tar']),
    profile: z.string(),
    compression: z.string(),
    rowCounts: z.record(z.string(), z.number()),
    clientVersion: z.string(),
    serverMajor: z.number(),
    globals: z.object({ filename: z.string().nullable(), checksum: z.string().nullable(), note: z.string().nullable() }),
  })
  .passthrough();
