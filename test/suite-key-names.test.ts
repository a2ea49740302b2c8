// The vitest suites under test/ run in one keychain session (test/with-keyring.sh around `vitest run`),
// each with its own HOLDFAST_HOME: like two homes of one user, they share the keychain, where a key's
// account is its name. Two suites adding different keys under one name collide — the second is refused
// with CONFLICT (before the keyring refused, it silently replaced the first suite's identity and that
// suite's decrypts failed when both ran together). So each name a suite gives a key is its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const SUITES = join(import.meta.dirname);
const NAMED_IN_CODE = /keyring\.(?:import|generate|addPassphrase)\((?:[^;]*?,\s*)?'([^']+)'\);/g;
const NAMED_ON_CLI = /'key',\s*'(?:generate|import|add-passphrase)',[^\]]*?'--name',\s*'([^']+)'/g;

function keyNamesBySuite(): Map<string, Set<string>> {
  const suitesOf = new Map<string, Set<string>>();
  for (const file of readdirSync(SUITES, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.test.ts'))) {
    const source = readFileSync(join(SUITES, file), 'utf8');
    for (const match of [...source.matchAll(NAMED_IN_CODE), ...source.matchAll(NAMED_ON_CLI)]) {
      const name = match[1]!;
      suitesOf.set(name, (suitesOf.get(name) ?? new Set()).add(file));
    }
  }
  return suitesOf;
}

test('no two suites add a key under the same name (they share one keychain per run)', () => {
  const names = keyNamesBySuite();
  expect(names.size).toBeGreaterThan(5); // the patterns still find the suites' keys
  const shared = [...names].filter(([, suites]) => suites.size > 1).map(([name, suites]) => `${name}: ${[...suites].join(', ')}`);
  expect(shared).toEqual([]);
});
