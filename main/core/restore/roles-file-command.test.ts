import { describe, expect, test } from 'vitest';
import { rolesFileCommand } from './roles-file-command.ts';

const target = { host: 'db.example', port: 5433, user: 'admin', sslmode: null, sslrootcert: null, sslcert: null, sslkey: null, service: null };
const backup = {
  path: '/srv/backups/shop/backup-2026-12-07T06-00-00Z-shop.dump',
  globals: { filename: 'backup-2026-12-07T06-00-00Z-shop.dump.globals.sql', checksum: null, note: null },
  encrypted: false,
};

describe("the command that applies a backup's roles file to a restore's target", () => {
  test('psql as the target profile, to its maintenance database, on the file beside the backup', () => {
    expect(rolesFileCommand(backup, target)).toBe('psql -X -h db.example -p 5433 -U admin -d postgres -f /srv/backups/shop/backup-2026-12-07T06-00-00Z-shop.dump.globals.sql');
  });

  test('TLS and a service go in the conninfo; a path and a user with spaces or quotes are one shell word', () => {
    const odd = { ...target, user: "o'brien", sslmode: 'verify-full', sslrootcert: '/etc/ssl/my ca.pem', service: 'prod' };
    expect(rolesFileCommand({ ...backup, path: '/srv/my backups/x.dump' }, odd)).toBe(
      `psql -X -h db.example -p 5433 -U 'o'\\''brien' -d 'dbname=postgres service=prod sslmode=verify-full sslrootcert='\\''/etc/ssl/my ca.pem'\\''' -f '/srv/my backups/backup-2026-12-07T06-00-00Z-shop.dump.globals.sql'`,
    );
  });

  test('an encrypted one is decrypted on the way; a backup without a roles file has no command', () => {
    expect(rolesFileCommand({ ...backup, encrypted: true, globals: { filename: 'backup-x.dump.globals.sql.age', checksum: null, note: null } }, target)).toBe(
      'age -d -i <key file> /srv/backups/shop/backup-x.dump.globals.sql.age | psql -X -h db.example -p 5433 -U admin -d postgres',
    );
    expect(rolesFileCommand({ ...backup, globals: { filename: null, checksum: null, note: 'imported' } }, target)).toBeNull();
  });
});
