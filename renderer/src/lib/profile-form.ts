// The connection form's fields as text, checked before they are sent (the engine checks again),
// and the engine's "field: message" errors mapped back onto the fields they name.
import type { ChannelInput } from '../api/types.ts';
import { AUTO_PARALLEL_DATABASES } from '../../../main/core/sets/parallel-default.ts';

export interface ProfileDraft {
  name: string;
  host: string;
  port: string;
  user: string;
  dbname: string;
  password: string;
  sslmode: string;
  tags: string;
  notes: string;
  /** A whole-server profile (--all-databases): every database as one backup set; dbname is only where it connects. */
  allDatabases: boolean;
  /** Databases left out, names or * ? patterns, one a line or comma-separated. */
  excludeDatabases: string;
  /** Databases dumped at once; empty: AUTO_PARALLEL_DATABASES. */
  parallelDatabases: string;
}

export type DraftErrors = Partial<Record<keyof ProfileDraft, string>>;

export const EMPTY_DRAFT: ProfileDraft = {
  name: '',
  host: 'localhost',
  port: '5432',
  user: 'postgres',
  dbname: '',
  password: '',
  sslmode: '',
  tags: '',
  notes: '',
  allDatabases: false,
  excludeDatabases: '',
  parallelDatabases: '',
};

/** Where a whole-server profile connects when no database is named (the engine's MAINTENANCE_DATABASE). */
const MAINTENANCE_DATABASE = 'postgres';

export function splitPatterns(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((pattern) => pattern.trim())
    .filter(Boolean);
}

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export function splitTags(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((tag) => tag.trim())
    .filter(Boolean);
}

export function validateDraft(draft: ProfileDraft): DraftErrors {
  const errors: DraftErrors = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the connection a name, e.g. "orders-prod".';
  else if (name.length > 64) errors.name = 'A name is at most 64 characters.';
  else if (/[/\\\u0000-\u001f]/.test(name)) errors.name = 'A name cannot contain "/", "\\" or control characters.';
  if (!draft.host.trim()) errors.host = 'The host is required (a name, an IP address, or a socket directory).';
  const port = Number(draft.port);
  if (!/^\d+$/.test(draft.port.trim()) || port < 1 || port > 65535) errors.port = 'A port is 1 to 65535 (default 5432).';
  if (!draft.user.trim()) errors.user = 'The user is required.';
  if (!draft.dbname.trim() && !draft.allDatabases) errors.dbname = 'The database is required.';
  else if (new TextEncoder().encode(draft.dbname).length > 63) errors.dbname = 'A database name is at most 63 bytes.';
  const badTag = splitTags(draft.tags).find((tag) => !/^[A-Za-z0-9_-]{1,32}$/.test(tag));
  if (draft.allDatabases && draft.parallelDatabases.trim()) {
    const parallel = Number(draft.parallelDatabases);
    if (!/^\d+$/.test(draft.parallelDatabases.trim()) || parallel < 1 || parallel > 16) errors.parallelDatabases = `Parallel databases is 1 to 16; leave it empty for ${AUTO_PARALLEL_DATABASES}.`;
  }
  if (badTag) errors.tags = `"${badTag}" is not a tag: use 1–32 letters, digits, "_" or "-".`;
  return errors;
}

export function draftToInput(draft: ProfileDraft): ChannelInput<'profile.add'> {
  return {
    name: draft.name.trim(),
    host: draft.host.trim(),
    port: Number(draft.port),
    user: draft.user.trim(),
    dbname: draft.dbname.trim() || (draft.allDatabases ? MAINTENANCE_DATABASE : ''),
    sslmode: draft.sslmode ? (draft.sslmode as (typeof SSL_MODES)[number]) : null,
    tags: splitTags(draft.tags),
    notes: draft.notes.trim() || null,
    wholeServer: draft.allDatabases ? { excludeDatabases: splitPatterns(draft.excludeDatabases), parallelDatabases: draft.parallelDatabases.trim() ? Number(draft.parallelDatabases) : null } : null,
    ...(draft.password ? { password: draft.password } : {}),
  };
}

/** "Invalid input for profile.add: port: port is 1–65535; host: …" → { port: '…', host: '…' }. */
export function fieldErrorsFromMessage(message: string): DraftErrors {
  const errors: DraftErrors = {};
  const body = message.replace(/^Invalid input for [\w.]+: /, '');
  for (const part of body.split('; ')) {
    const match = /^(?:changes\.)?(\w+): (.+)$/.exec(part);
    if (match && match[1]! in EMPTY_DRAFT) errors[match[1] as keyof ProfileDraft] = match[2]!;
  }
  return errors;
}
