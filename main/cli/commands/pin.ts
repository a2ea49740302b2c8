// `holdfast pin` and `holdfast unpin`: keep a backup whatever the retention policy, or hand it back.
import type { Command } from 'commander';
import type { CommandContext } from '../runner.ts';

export function pinCommands(program: Command, { run }: CommandContext): void {
  for (const [verb, pinned] of [
    ['pin', true],
    ['unpin', false],
  ] as const) {
    program
      .command(`${verb} <backup>`)
      .description(pinned ? 'Keep a backup whatever the retention policy' : 'Hand a pinned backup back to the retention policy')
      .option('--json', 'print JSON')
      .action(async (ref: string, options: { json?: boolean }) => {
        await run(
          'backup.pin',
          { ref, pinned },
          Boolean(options.json),
          (backup) => `${backup.pinned ? 'Pinned' : 'Unpinned'}: ${backup.filename} (${backup.id})${backup.pinned ? '; retention keeps it whatever the policy' : ''}`,
        );
      });
  }
}
