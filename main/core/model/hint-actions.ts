// What a hint tells a DBA to do, stated once for every shell. The engine writes a hint as a template
// with {{action}} placeholders; the CLI renders each as its flag, the app as the name of its own
// control. So "Add --terminate-connections" never reaches a window whose checkbox says "End other
// sessions on the database", and a renamed flag or control changes in this table only.
//
// Import-free: the renderer (bundled by Vite) reads the same table.

export interface HintActionText {
  /** The CLI's words, a verb phrase: "add --terminate-connections". */
  readonly cli: string;
  /** The app's words for the same step, naming its control: 'tick "End other sessions on the database"'. */
  readonly app: string;
}

export const HINT_ACTIONS = {
  'terminate-connections': { cli: 'add --terminate-connections', app: 'tick "End other sessions on the database"' },
  'no-owner': { cli: 'use --no-owner --no-acl', app: 'tick "Skip ownership" and "Skip privileges"' },
  // Where only one of the two is needed: roles that only own objects, or roles only privileges name.
  'skip-ownership': { cli: 'use --no-owner', app: 'tick "Skip ownership"' },
  'skip-privileges': { cli: 'use --no-acl', app: 'tick "Skip privileges"' },
  create: { cli: 'add --create to create it', app: 'choose "Create a new database"' },
  'replace-existing': { cli: 'use --clean (or --swap to keep the old one) with --confirm={value}', app: 'tick "Replace what is in the database (drop existing)"' },
  'restore-beside': { cli: 'give --dbname <new name> --create', app: 'choose "Create a new database"' },
  // A backup set's restore: its one --clean and the set's id, never a member's --swap or --confirm.
  'replace-set': { cli: 'add --clean with --confirm={value}', app: 'choose "Replace them if they exist"' },
  // The set's own checkbox ends the sessions on every database it replaces.
  'terminate-set-connections': { cli: 'add --terminate-connections', app: 'tick "End other sessions on those databases"' },
  // A set's --create (the app's create mode): every chosen database the target lacks, each under its own name.
  'create-set': { cli: 'add --create to create the databases the target lacks', app: 'choose "Create them (they must not exist)"' },
  'leave-out-member': { cli: 'leave it out with --only', app: 'leave it out: untick it under "Databases to restore"' },
  // A set's restore takes no --no-owner; its member restored on its own does. {value}: that restore's backup id, --to and mode.
  'restore-member-alone': {
    cli: 'restore it on its own with holdfast restore {value} --no-owner --no-acl',
    app: 'restore its own backup (its row under the set, Restore…) with "Skip ownership" and "Skip privileges" ticked',
  },
  // The same where only one of the two is needed, as skip-ownership and skip-privileges for one backup.
  'restore-member-skip-ownership': {
    cli: 'restore it on its own with holdfast restore {value} --no-owner',
    app: 'restore its own backup (its row under the set, Restore…) with "Skip ownership" ticked',
  },
  'restore-member-skip-privileges': {
    cli: 'restore it on its own with holdfast restore {value} --no-acl',
    app: 'restore its own backup (its row under the set, Restore…) with "Skip privileges" ticked',
  },
  // A set's restore names no database (each member keeps its own); its member restored on its own can. {value}: that restore's backup id and --to.
  'restore-member-beside': {
    cli: 'restore it on its own into a new database with holdfast restore {value} --dbname <new name> --create',
    app: 'restore its own backup (its row under the set, Restore…) into a new database',
  },
  confirm: { cli: 'add --confirm with the name', app: 'type the name in the confirmation box' },
  // A dump made elsewhere, changed by the DBA (statements it must not restore taken out), catalogued anew.
  'import-again': { cli: 'import it again with holdfast import <file> --profile <profile>', app: 'import it again (Backups, Import…)' },
  'list-backups': { cli: 'run holdfast list', app: 'see the Backups page' },
  'format-custom': { cli: 'back up with --format custom', app: 'back up with the Custom format' },
  // The app's Back up now takes single backups only; a schedule's Run now takes the set.
  'take-set': { cli: 'run holdfast backup with this profile (REST: the backup.take channel), which takes the set', app: 'give the profile a schedule on the Schedules page and press its Run now' },
  // Who a backup is encrypted to: left out, the schedule's, the profile's or the default choice applies.
  'inherit-encryption': { cli: 'leave out --encrypt-to and --no-encrypt (REST: leave out encryptTo)', app: 'choose "Inherit" under Encryption' },
  // A whole-server profile's database a set could not back up; {value}: the whole `profile edit` argument list (its flags replace the lists).
  'exclude-database': {
    cli: 'leave it out of the set: holdfast profile edit {value}',
    app: 'leave it out of the set: add it under "Leave out databases" in the connection\'s form (Connections, Edit)',
  },
} as const satisfies Record<string, HintActionText>;

export type HintAction = keyof typeof HINT_ACTIONS;
export type HintSurface = keyof HintActionText;

export const HINT_ACTION_NAMES = Object.keys(HINT_ACTIONS) as HintAction[];

/**
 * {{action}}, or {{action:value}} where the words carry a value ({value}: what --confirm= must be).
 * Text from outside (a value, a backup's or a server's words) is written with hintText, which escapes
 * its { } and \\: inside a value they stay in it, outside they are text; the one pattern reads both left
 * to right, so an escaped { never starts a placeholder and an escaped } never ends one.
 */
const TOKEN = /\\([{}\\])|\{\{([a-z-]+)(?::((?:[^}\\]|\\.)*))?\}\}/g;

/**
 * Text a template did not write — a backup's setting, role, comment or statement, a server's message, a
 * placeholder's value — as a template carries it: its { } and \\ escaped, so a {{no-owner}} in it stays
 * those characters on every surface, a value ends where it should, and a statement printed from it is
 * exact. Anything from outside goes into a hint through this.
 */
export function hintText(text: string): string {
  return text.replace(/[{}\\]/g, '\\$&');
}

export function isHintAction(name: string): name is HintAction {
  return Object.hasOwn(HINT_ACTIONS, name);
}

/** A hint template's placeholders as the surface says them; one at a sentence's start gets a capital. */
export function renderHint(template: string, surface: HintSurface): string {
  return template.replace(TOKEN, (whole, escaped: string | undefined, name: string | undefined, value: string | undefined, offset: number) => {
    if (escaped !== undefined) return escaped;
    if (name === undefined || !isHintAction(name)) return whole;
    const said = value === undefined ? '<name>' : value.replace(/\\([\s\S])/g, '$1');
    const words = (HINT_ACTIONS[name][surface] as string).replaceAll('{value}', () => said);
    const before = template.slice(0, offset).trimEnd();
    return before === '' || /[.:;!?]$/.test(before) ? words.charAt(0).toUpperCase() + words.slice(1) : words;
  });
}

/** The actions a template names, first first: the app may offer the first as a button. */
export function hintActions(template: string): HintAction[] {
  return [...template.matchAll(TOKEN)].flatMap((match) => (match[2] !== undefined && isHintAction(match[2]) ? [match[2]] : []));
}
