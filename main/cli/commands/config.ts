// `holdfast config list|get|set|unset`: the settings the app can change, each with its value in force
// and where it comes from. A value is given as its environment variable would hold it; a variable
// that is set in the environment wins, so such a setting is shown but not changed here.
import type { Command } from 'commander';
import type { SettingEntry } from '../../core/config/app-settings.ts';
import type { CommandContext } from '../runner.ts';

const SOURCE_WORDS: Record<SettingEntry['source'], string> = { environment: 'environment', app: 'app setting', default: 'default' };

function describeEntry(entry: SettingEntry): string {
  const changed = entry.changed ? `, changed by ${entry.changed.by} at ${entry.changed.at}` : '';
  const why = entry.why ? `\n  ${entry.why}` : '';
  return `${entry.name} = ${entry.value}  (${SOURCE_WORDS[entry.source]}${changed}; ${entry.variable})${why}`;
}

function settingsTable(entries: SettingEntry[]): string {
  const width = Math.max(...entries.map((entry) => entry.name.length));
  return entries.map((entry) => `${entry.name.padEnd(width)}  ${entry.value}  [${SOURCE_WORDS[entry.source]}${entry.editable ? '' : ', fixed'}]  ${entry.variable}`).join('\n');
}

export function configCommands(program: Command, { run }: CommandContext): void {
  const config = program.command('config').description('Settings the app can change (an environment variable that is set wins)');
  config
    .command('list')
    .description('Every setting, its value in force and where it comes from (environment, app setting, default)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('config.list', {}, Boolean(options.json), settingsTable);
    });
  config
    .command('get <name>')
    .description('One setting, by its name (backup-dir) or its variable (BACKUP_DIR)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('config.get', { name }, Boolean(options.json), describeEntry);
    });
  config
    .command('set <name> <value>')
    .description('Change a setting for every Holdfast on this home, from its next operation on (audited)')
    .option('--json', 'print JSON')
    .action(async (name: string, value: string, options: { json?: boolean }) => {
      await run('config.set', { name, value }, Boolean(options.json), describeEntry);
    });
  config
    .command('unset <name>')
    .description('Put a setting back to its default (audited)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('config.set', { name, value: null }, Boolean(options.json), describeEntry);
    });
}
