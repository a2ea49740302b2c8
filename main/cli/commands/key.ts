// `holdfast key generate|import|add-passphrase|export|list`: the age identities (and passphrases)
// that decrypt encrypted backups (BACKUP_ENCRYPTION_KEY holds their public recipients). A secret
// arrives only on standard input and leaves only by `key export`; it is never an argument.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import { loadConfig } from '../../core/config/config.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { SECRET_STORE_NAMES } from '../../core/secrets/store-choice.ts';
import type { KeyView } from '../../core/encryption/key-list.ts';
import type { KeyEntry } from '../../core/encryption/keyring.ts';
import type { CommandContext } from '../runner.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new HoldfastError('BAD_INPUT', 'holdfast key import reads the identity file from standard input.', 'Pipe it in: holdfast key import --name N < key.txt');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed on the terminal without echo (a passphrase). */
function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new HoldfastError('BAD_INPUT', 'Cancelled.', 'Nothing was stored.'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The passphrase: typed twice on a terminal, or the first line of standard input. */
async function readPassphrase(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await readHiddenLine('Passphrase: ');
    const second = await readHiddenLine('Passphrase again: ');
    if (first !== second) throw new HoldfastError('BAD_INPUT', 'The two passphrases differ.', 'Run holdfast key add-passphrase again; nothing was stored.');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Where this process keeps secrets (HOLDFAST_SECRET_STORE), as the engine reads it: "the OS keychain" or "the credentials file". */
const storeName = () => SECRET_STORE_NAMES[loadConfig().secretStore];

const OFFLINE_COPY = (name: string) =>
  `Keep an offline copy of its secret NOW (holdfast key export ${name} > ${name}.txt, then store that file away from this machine): without it, backups encrypted to this key cannot be restored if ${storeName()} is lost.`;

const added = (verb: string) => (entry: KeyEntry) =>
  [`${verb} key "${entry.name}", stored in ${storeName()}.`, `Recipient (public; put it in BACKUP_ENCRYPTION_KEY): ${entry.recipient}`, OFFLINE_COPY(entry.name)].join('\n');

function keyTable(keys: KeyView[]): string {
  if (keys.length === 0) return 'No keys. holdfast key generate --name N makes one; holdfast key import --name N < key.txt brings one in.';
  return keys
    .map(
      (key) =>
        `${key.name}  ${key.kind === 'passphrase' ? 'passphrase' : key.recipient}  ${key.secretHere ? 'secret here' : 'NO SECRET HERE: its backups cannot be restored on this machine'}  ${plural(key.backups, 'backup')}`,
    )
    .join('\n');
}

export function keyCommands(program: Command, { run }: CommandContext): void {
  const key = program.command('key').description('age keys for encrypted backups (BACKUP_ENCRYPTION_KEY)');
  key
    .command('generate')
    .description("Create an X25519 identity in this host's secret store (the OS keychain, or the credentials file) and print its recipient")
    .option('--name <name>', 'the key name (default key-N)')
    .option('--json', 'print JSON')
    .action(async (options: { name?: string; json?: boolean }) => {
      await run('key.generate', { ...(options.name ? { name: options.name } : {}) }, Boolean(options.json), added('Generated'));
    });
  key
    .command('import')
    .description("Store an age identity file (AGE-SECRET-KEY-1…) read from standard input in this host's secret store")
    .option('--name <name>', 'the key name (default key-N)')
    .option('--json', 'print JSON')
    .action(async (options: { name?: string; json?: boolean }) => {
      const identity = await readStdin();
      await run('key.import', { identity, ...(options.name ? { name: options.name } : {}) }, Boolean(options.json), added('Imported'));
    });
  key
    .command('add-passphrase')
    .description("Store a passphrase in this host's secret store as a key: backups encrypted to it open with the passphrase (age -d asks for it)")
    .option('--name <name>', 'the key name (default key-N)')
    .option('--json', 'print JSON')
    .action(async (options: { name?: string; json?: boolean }) => {
      const passphrase = await readPassphrase();
      await run('key.addPassphrase', { passphrase, ...(options.name ? { name: options.name } : {}) }, Boolean(options.json), (entry) =>
        [
          `Added passphrase key "${entry.name}", stored in ${storeName()}.`,
          `Encrypt to it by name: holdfast backup <profile> --encrypt-to ${entry.name} (or a profile's or schedule's --encrypt-to). age allows a passphrase only alone, not with other recipients.`,
          'Keep the passphrase where you keep passwords: it is the only way to open those backups (age -d backup.dump.age asks for it), and it cannot be exported.',
        ].join('\n'),
      );
    });
  key
    .command('export <name>')
    .description('Print the identity file of a key, for an offline copy (it is a secret: redirect it to a file)')
    .action(async (name: string) => {
      // The identity file as written, its lines its own: age reads it line by line.
      await run('key.export', { name }, false, (exported) => exported.identityFile.trimEnd(), undefined, { linesOfItsOwn: true });
    });
  key
    .command('list')
    .description('Each key, whether its secret is on this machine, and how many backups need it')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('key.list', {}, Boolean(options.json), keyTable);
    });
}
