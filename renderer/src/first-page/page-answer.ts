// The first page's answer as the early script may draw it: checked field by field before anything
// is drawn (an answer is input like any other). Not the zod schema: the renderer has none for this
// answer (the store trusts its typed transport), and zod in the classic script would cost its compile
// on the very path this script exists to shorten. So this checks exactly what the first screen reads
// — the page's total, counts, profiles and file-check flag, and per item the fields toRow and the
// drawn row read — and nothing else: extra fields are left alone, as the drawn screen never shows
// them. A whole-server set is checked as lib/set-rows.ts's setToRow reads it: its record, its
// databases and the members' summaries.
import type { ChannelOutput } from '../api/types.ts';
import type { SetListItem } from '../lib/set-rows.ts';

/** What the first screen draws from: the answer's page, its items backups, attempts and whole-server sets. */
export interface FirstScreenAnswer {
  total: number;
  counts: ChannelOutput<'backup.page'>['counts'];
  profiles: string[];
  checkingFiles: boolean;
  items: SetListItem[];
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isTime = (value: unknown): value is string => isString(value) && !Number.isNaN(Date.parse(value));
const isNullable =
  <T>(check: (value: unknown) => value is T) =>
  (value: unknown): value is T | null =>
    value === null || check(value);
const isOptional =
  <T>(check: (value: unknown) => value is T) =>
  (value: unknown): value is T | undefined | null =>
    value === undefined || value === null || check(value);
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    (values as readonly unknown[]).includes(value);

const BACKUP_STATUSES = ['completed', 'missing', 'deleted'] as const;
const SCOPES = ['full', 'schema-only', 'data-only', 'partial'] as const;
const COUNT_NAMES = ['backups', 'attempts', 'running', 'sets', 'setMembers'] as const;

function isVerification(value: unknown): boolean {
  return isObject(value) && typeof value.valid === 'boolean' && (value.contentChecked === undefined || value.contentChecked === false);
}

function isDrill(value: unknown): boolean {
  return isObject(value) && oneOf(['passed', 'failed'] as const)(value.status);
}

/** A catalogued backup's summary, as toRow and the drawn row read it. */
function isSummary(item: Fields): boolean {
  return (
    isString(item.id) &&
    isString(item.profile) &&
    isString(item.database) &&
    oneOf(BACKUP_STATUSES)(item.status) &&
    isTime(item.timestamp) &&
    isString(item.filename) &&
    isString(item.format) &&
    isString(item.compression) &&
    isFiniteNumber(item.size) &&
    isFiniteNumber(item.duration) &&
    (item.lastVerified === undefined || item.lastVerified === null || isVerification(item.lastVerified)) &&
    (item.restoreTest === undefined || item.restoreTest === null || isDrill(item.restoreTest)) &&
    oneOf(SCOPES)(item.scope) &&
    typeof item.pinned === 'boolean' &&
    typeof item.imported === 'boolean' &&
    (item.keyHere === undefined || typeof item.keyHere === 'boolean')
  );
}

/** A failed, interrupted, cancelled or running attempt that left no backup. */
function isAttempt(item: Fields): boolean {
  return isString(item.id) && isString(item.status) && isNullable(isString)(item.profile) && isTime(item.timestamp) && isNullable(isString)(item.filename) && isOptional(isString)(item.error);
}

const SET_STATUSES = ['running', 'completed', 'partial', 'interrupted', 'deleted'] as const;
const MEMBER_STATUSES = ['completed', 'failed', 'interrupted'] as const;

/** One database of a set: held (its backup's id) or failed (why). */
function isSetMember(value: unknown): boolean {
  return isObject(value) && isString(value.database) && isNullable(isString)(value.id) && oneOf(MEMBER_STATUSES)(value.status) && isOptional(isString)(value.error);
}

/** A whole-server set as setToRow reads it, its members' summaries and attempts included. */
function isSet(item: Fields): boolean {
  const { manifest } = item;
  return (
    isString(item.id) &&
    isString(item.profile) &&
    oneOf(SET_STATUSES)(item.status) &&
    isTime(item.timestamp) &&
    (manifest === null || manifest === undefined || (isObject(manifest) && isString(manifest.filename))) &&
    isFiniteNumber(item.durationMs) &&
    Array.isArray(item.problems) &&
    item.problems.every(isString) &&
    Array.isArray(item.expected) &&
    item.expected.every(isString) &&
    Array.isArray(item.databases) &&
    item.databases.every(isSetMember) &&
    Array.isArray(item.members) &&
    item.members.every((member) => isObject(member) && member.kind === undefined && isListed(member))
  );
}

/** A backup or an attempt, told apart as toRow does (only backups have a format). */
const isListed = (item: Fields): boolean => ('format' in item ? isSummary(item) : isAttempt(item));

/**
 * The answer's page when it is the contract's success envelope and every field the first screen
 * reads has the type it is drawn as; else undefined (nothing is drawn, the entry and React decide).
 */
export function readFirstScreenAnswer(body: unknown): FirstScreenAnswer | undefined {
  if (!isObject(body) || body.ok !== true || !isObject(body.value)) return undefined;
  const page = body.value;
  const { counts, profiles, items } = page;
  if (!isCount(page.total) || typeof page.checkingFiles !== 'boolean') return undefined;
  if (!isObject(counts) || !COUNT_NAMES.every((name) => isCount(counts[name]))) return undefined;
  if (!Array.isArray(profiles) || !profiles.every(isString)) return undefined;
  if (!Array.isArray(items) || !items.every((item) => isObject(item) && (item.kind === 'set' ? isSet(item) : item.kind === undefined && isListed(item)))) return undefined;
  // Checked above, field by field; the rest of each item (copies, encryptedTo…) is never drawn.
  return { total: page.total, counts: counts as FirstScreenAnswer['counts'], profiles: profiles as string[], checkingFiles: page.checkingFiles, items: items as SetListItem[] };
}
