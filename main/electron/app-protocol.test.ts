import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appFilePath, registerAppProtocol, serveAppRequest } from './app-protocol.ts';
import { CSP } from './security.ts';

let base: string;
let root: string;
const SECRET = 'the secret outside the renderer';

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'holdfast-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Holdfast</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret'), SECRET);
  symlinkSync(join(base, 'secret'), join(root, 'assets', 'link.js'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('appFilePath', () => {
  test('maps holdfast://app/ paths into the renderer directory', () => {
    expect(appFilePath(root, 'holdfast://app/')).toBe(join(root, 'index.html'));
    expect(appFilePath(root, 'holdfast://app/index.html')).toBe(join(root, 'index.html'));
    expect(appFilePath(root, 'holdfast://app/assets/app.js?v=1#x')).toBe(join(root, 'assets', 'app.js'));
  });

  test('refuses other origins, encoded traversal, backslashes and NUL', () => {
    for (const url of [
      'holdfast://other/index.html',
      'https://app/index.html',
      'file:///etc/passwd',
      'holdfast://app/assets/..%2f..%2fsecret',
      'holdfast://app/..%2fsecret',
      'holdfast://app/..%5csecret',
      'holdfast://app/assets%5c..%5c..%5csecret',
      'holdfast://app/index.html%00.js',
      'holdfast://app/%E0%A4%A',
      'not a url',
    ]) {
      expect(appFilePath(root, url), url).toBeNull();
    }
  });

  test('plain ../ is resolved by URL parsing and can never land outside the directory', () => {
    for (const url of ['holdfast://app/../secret', 'holdfast://app/%2e%2e/secret', 'holdfast://app/assets/../../../secret']) {
      const path = appFilePath(root, url);
      expect(path === null || path.startsWith(`${root}/`), url).toBe(true);
    }
  });
});

describe('serveAppRequest', () => {
  test('serves files with their type and the CSP', async () => {
    const index = await serveAppRequest(root, 'holdfast://app/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>Holdfast</title>');
    const script = await serveAppRequest(root, 'holdfast://app/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  test('never answers with a file outside the renderer directory', async () => {
    for (const url of ['holdfast://app/../secret', 'holdfast://app/%2e%2e/secret', 'holdfast://app/assets/..%2f..%2fsecret', 'holdfast://app/..%5csecret', 'holdfast://app/assets/link.js']) {
      // "/secret" (no extension) may get the app's page as a client-side route; never the file.
      const response = await serveAppRequest(root, url);
      expect(await response.text(), url).not.toContain(SECRET);
    }
    expect((await serveAppRequest(root, 'holdfast://app/assets/link.js')).status).toBe(403);
    expect((await serveAppRequest(root, 'holdfast://app/..%2fsecret')).status).toBe(403);
  });

  test('client-side routes get the page; missing assets are 404', async () => {
    const route = await serveAppRequest(root, 'holdfast://app/backups');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Holdfast</title>');
    expect((await serveAppRequest(root, 'holdfast://app/assets/missing.js')).status).toBe(404);
  });

  test('an unbuilt renderer says how to build it', async () => {
    const response = await serveAppRequest(join(base, 'nowhere'), 'holdfast://app/');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('npm run build');
  });
});

test('registerAppProtocol handles holdfast:// read-only', async () => {
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  registerAppProtocol({ handle: (scheme, h) => (scheme === 'holdfast' ? (handler = h) : undefined) }, root);
  expect((await handler!(new Request('holdfast://app/index.html'))).status).toBe(200);
  expect((await handler!(new Request('holdfast://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
});
