// A backup set's record, stated once: the set manifest beside its files holds it (checksummed, the
// checksum kept in the catalogue), the catalogue's backup_sets row holds it, and every shell shows it
// (`holdfast backup <server-profile> --json`, `list`). Each member is an ordinary backup of its own,
// taken by the same path as any backup (backup/backup.ts); the set says which databases it expected,
// which it holds, and why any is missing.
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { GlobalsInfoSchema } from '../model/backup-metadata.ts';

/** The manifest's name: backup-<time>-<profile>[-<suffix>].set, beside the members. */
export const SET_EXTENSION = 'set';

/**
 * Where a set's run keeps the manifest name it will write, from its start: the next start removes a
 * manifest a killed set left (interrupted-sets.ts). The run's `filename` names it only once written.
 */
export const MANIFEST_DETAIL = 'manifestName';

export const SET_STATUSES = ['running', 'completed', 'partial', 'interrupted', 'deleted'] as const;
export type SetStatus = (typeof SET_STATUSES)[number];

export const SetMemberSchema = lazySchema(() =>
  z.object({
    database: z.string(),
    /** The member backup's id; null when its backup failed (then error says why). */
    id: z.string().nullable(),
    filename: z.string().nullable(),
    checksum: z.string().nullable(),
    status: z.enum(['completed', 'failed', 'interrupted']),
    error: z.string().nullable(),
    /** What to do about a failed member (sets/member-hint.ts), as the CLI says it; absent when there is nothing to say, and in sets taken before it was kept. */
    hint: z.string().optional(),
    /** The same step as the app says it, where its words differ (its controls instead of flags). */
    appHint: z.string().optional(),
    rowCounts: z.record(z.string(), z.number()).describe("exact rows per table, counted in the member's own snapshot"),
    size: z.number().int().nonnegative(),
  }),
);
export type SetMember = z.infer<typeof SetMemberSchema>;

export const BackupSetSchema = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    kind: z.literal('set'),
    profile: z.string(),
    timestamp: z.string().describe('ISO 8601 time the set started'),
    status: z.enum(SET_STATUSES),
    /** Why the set is not completed, one line per failed member (or the roles file). */
    problems: z.array(z.string()),
    version: z.string().nullable(),
    serverMajor: z.number().nullable(),
    /** The databases the server had at the start (connectable, not templates), less the excluded ones. */
    expected: z.array(z.string()),
    excluded: z.array(z.string()),
    /** Compared with the profile's previous set: databases new since, and databases gone since. */
    added: z.array(z.string()),
    dropped: z.array(z.string()),
    parallelDatabases: z.number().int().positive(),
    globals: GlobalsInfoSchema,
    databases: z.array(SetMemberSchema),
    /** The set manifest (this record as JSON) beside the members, and its SHA-256 as written. */
    manifest: z.object({ filename: z.string(), checksum: z.string() }).nullable(),
    durationMs: z.number(),
  }),
);
export type BackupSet = z.infer<typeof BackupSetSchema>;

/** Completed only when every expected database is held and the roles were saved; a set with any failure is partial. */
export function setStatusOf(set: Pick<BackupSet, 'expected' | 'databases' | 'globals'>): { status: 'completed' | 'partial'; problems: string[] } {
  const problems: string[] = [];
  for (const member of set.databases) if (member.status !== 'completed') problems.push(`${member.database}: ${member.error ?? member.status}`);
  const held = new Set(set.databases.filter((m) => m.status === 'completed').map((m) => m.database));
  for (const database of set.expected) if (!held.has(database) && !set.databases.some((m) => m.database === database)) problems.push(`${database}: not backed up`);
  if (!set.globals.filename) problems.push(`roles and tablespaces: ${set.globals.note ?? 'not saved'}`);
  return { status: problems.length === 0 ? 'completed' : 'partial', problems };
}

/** A set as it starts: nothing listed, taken or written yet. */
export function startingSet(fields: Pick<BackupSet, 'id' | 'profile' | 'timestamp' | 'parallelDatabases'>): BackupSet {
  return {
    ...fields,
    kind: 'set',
    status: 'running',
    problems: [],
    version: null,
    serverMajor: null,
    expected: [],
    excluded: [],
    added: [],
    dropped: [],
    globals: { filename: null, checksum: null, note: 'not taken yet' },
    databases: [],
    manifest: null,
    durationMs: 0,
  };
}
