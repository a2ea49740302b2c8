// electron-builder.yml as electron-builder 26 itself reads and validates it: the fuses, the built paths,
// the native modules outside the ASAR, the bundled client tools, the targets and the icons.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
// app-builder-lib is electron-builder's own configuration code (loading, schema validation).
const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const { getConfig, validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

async function loadBuilderConfig() {
  const config = await getConfig(root, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config as {
    files: Array<string | { filter: string[] }>;
    asarUnpack: string[];
    extraResources: Array<{ from: string; to: string }>;
    electronFuses: Record<string, boolean>;
    linux: { target: string[] };
    mac: { target: string[] };
    win: { target: string[] };
  };
}

function pngSize(path: string): [number, number] {
  const png = readFileSync(path);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  test('passes electron-builder’s schema, and a misspelt fuse would not', async () => {
    await loadBuilderConfig();
    const config = await getConfig(root, null, null);
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNodes: false } }, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
    // Loading electron-builder's schema validator is ~2 s of CPU: on a busy 2-core machine it passed 5 s.
  }, 30_000);

  test('flips the fuses that close the code-injection doors', async () => {
    expect((await loadBuilderConfig()).electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  test('packs the built bundles that package.json main and the window point at', async () => {
    const config = await loadBuilderConfig();
    const patterns = config.files.flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.filter));
    expect(patterns).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'package.json']));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('dist/electron/main.mjs');
    expect(pkg.scripts['build:electron']).toBe('node build/bundle-electron.mjs');
    expect(pkg.scripts.build).toContain('build:electron');
  });

  test('keeps native modules out of the ASAR and ships client tools where the engine looks', async () => {
    const config = await loadBuilderConfig();
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/keytar/**']));
    // main/core/holdfast.ts bundledToolDirs(): <resources>/pg/bin, and build/pg/<platform>-<arch>/bin in a checkout.
    expect(config.extraResources).toEqual([expect.objectContaining({ from: 'build/pg/${platform}-${arch}', to: 'pg' })]);
  });

  test('builds AppImage and deb, dmg, and nsis', async () => {
    const config = await loadBuilderConfig();
    expect([config.linux.target, config.mac.target, config.win.target]).toEqual([['AppImage', 'deb'], ['dmg'], ['nsis']]);
  });

  test('the icons exist at the sizes electron-builder and the tray need', () => {
    expect(pngSize(join(root, 'build', 'icon.png'))).toEqual([512, 512]);
    for (const status of ['ok', 'failed', 'running']) {
      expect(pngSize(join(root, 'build', 'tray', `tray-${status}.png`))).toEqual([32, 32]);
      expect(pngSize(join(root, 'build', 'tray', `tray-${status}@2x.png`))).toEqual([64, 64]);
    }
  });
});
