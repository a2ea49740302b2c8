// Which of a set's databases a restore takes (`--only`): each value is a database's name, or, when
// the set holds no database of that name, a comma-separated list of names. So `--only crm,shop`,
// `--only crm --only shop` and both mixed work, and a name with a comma in it is taken whole (the
// README says: give it with its own --only). A name the set does not hold is refused, naming those it does.
import { HoldfastError } from '../model/errors.ts';
import type { BackupSet } from './set-record.ts';

export function chosenMembers(set: BackupSet, only: readonly string[] | undefined) {
  const held = set.databases.filter((member) => member.status === 'completed' && member.id !== null);
  if (!only) return held;
  const isHeld = (name: string) => held.some((member) => member.database === name);
  const names = only.flatMap((value) => (isHeld(value) ? [value] : value.split(',').map((name) => name.trim())));
  const unknown = [...new Set(names.filter((name) => !isHeld(name)))];
  if (unknown.length > 0)
    throw new HoldfastError(
      'BAD_INPUT',
      `Backup set ${set.id} holds no database ${unknown.map((name) => JSON.stringify(name)).join(', ')}.`,
      `It holds: ${held.map((member) => JSON.stringify(member.database)).join(', ')}. Name them with --only, comma-separated or one per --only (a name with a comma in it: its own --only).`,
    );
  return held.filter((member) => names.includes(member.database));
}
