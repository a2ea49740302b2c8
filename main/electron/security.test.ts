import { describe, expect, test, vi } from 'vitest';
import { CSP as SERVE_CSP } from '../serve/server.ts';
import { APP_ENTRY } from './app-origin.ts';
import { safeOpenExternal } from './safe-open-external.ts';
import { CSP, guardWebContents, hardenApp, secureSession, withSecurityHeaders, type GuardedContents, type SecuredSession } from './security.ts';

type Listener = (...args: never[]) => unknown;

/** A stand-in for a Session: records the handlers Holdfast installs. */
class FakeSession implements SecuredSession {
  requestHandler: Parameters<SecuredSession['setPermissionRequestHandler']>[0] = null;
  checkHandler: Parameters<SecuredSession['setPermissionCheckHandler']>[0] = null;
  headersListener: Parameters<SecuredSession['webRequest']['onHeadersReceived']>[0] = null;
  setPermissionRequestHandler(handler: FakeSession['requestHandler']) {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['checkHandler']) {
    this.checkHandler = handler;
  }
  readonly webRequest = { onHeadersReceived: (listener: FakeSession['headersListener']) => (this.headersListener = listener) };
}

/** A stand-in for a WebContents: its listeners and window-open handler can be fired by the test. */
class FakeContents {
  readonly listeners = new Map<string, Listener>();
  openHandler: Parameters<GuardedContents['setWindowOpenHandler']>[0] | undefined;
  readonly session = new FakeSession();
  on(event: string, listener: Listener) {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: NonNullable<FakeContents['openHandler']>) {
    this.openHandler = handler;
  }
  /** Fires a navigation-type event; true when Holdfast prevented it. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    (this.listeners.get(event) as (details: { url: string; preventDefault(): void }) => void)({ url, preventDefault: () => (prevented = true) });
    return prevented;
  }
  open(url: string) {
    return this.openHandler!({ url } as Parameters<NonNullable<FakeContents['openHandler']>>[0]);
  }
}

const fakeShell = () => ({ openExternal: vi.fn(async (_url: string) => {}) });

describe('safeOpenExternal', () => {
  test('opens https only', () => {
    const shell = fakeShell();
    expect(safeOpenExternal(shell, 'https://www.postgresql.org/docs/')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://www.postgresql.org/docs/');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'holdfast://app/index.html', 'not a url', 'https://user:pw@example.com/']) {
      expect(safeOpenExternal(shell, url), url).toBe(false);
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('hardenApp', () => {
  test('sandboxes every renderer, registers holdfast:// as standard and secure, and guards each new WebContents', () => {
    const calls: string[] = [];
    let created: ((event: unknown, contents: GuardedContents) => void) | undefined;
    const app = {
      enableSandbox: () => calls.push('enableSandbox'),
      on: (event: 'web-contents-created', listener: typeof created) => {
        calls.push(event);
        created = listener;
      },
    };
    const registered: unknown[] = [];
    hardenApp(app, { registerSchemesAsPrivileged: (schemes) => registered.push(...schemes) }, fakeShell());
    expect(calls).toEqual(['enableSandbox', 'web-contents-created']);
    expect(registered).toEqual([{ scheme: 'holdfast', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    const contents = new FakeContents();
    created!({}, contents);
    expect([...contents.listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
    expect(contents.openHandler).toBeDefined();
    expect(contents.session.requestHandler).not.toBeNull();
  });
});

describe('guardWebContents', () => {
  test('navigation stays on holdfast://app; https leaves through the browser, anything else is just blocked', () => {
    const shell = fakeShell();
    const contents = new FakeContents();
    guardWebContents(contents, shell);
    expect(contents.navigate('will-navigate', APP_ENTRY)).toBe(false);
    expect(contents.navigate('will-navigate', 'holdfast://app/backups')).toBe(false);
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://evil.example/');
    for (const url of ['file:///etc/passwd', 'http://127.0.0.1:8080/', 'holdfast://other/index.html', 'javascript:alert(1)']) {
      expect(contents.navigate('will-navigate', url), url).toBe(true);
    }
    expect(contents.navigate('will-frame-navigate', 'https://evil.example/frame')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://evil.example/redirect')).toBe(true);
    // Only the top-level https navigation went to the browser.
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  test('window.open is always denied; https URLs open in the browser', () => {
    const shell = fakeShell();
    const contents = new FakeContents();
    guardWebContents(contents, shell);
    expect(contents.open('https://github.com/')).toEqual({ action: 'deny' });
    expect(contents.open('holdfast://app/index.html')).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls).toEqual([['https://github.com/']]);
  });

  test('webviews are refused', () => {
    const contents = new FakeContents();
    guardWebContents(contents, fakeShell());
    const preventDefault = vi.fn();
    (contents.listeners.get('will-attach-webview') as (event: { preventDefault(): void }) => void)({ preventDefault });
    expect(preventDefault).toHaveBeenCalled();
  });
});

describe('secureSession', () => {
  test('every permission request and check is denied', () => {
    const session = new FakeSession();
    secureSession(session);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      session.requestHandler!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.checkHandler!({}, permission)).toBe(false);
    }
  });

  test('responses get our CSP in place of their own', () => {
    const session = new FakeSession();
    secureSession(session);
    let answered: Record<string, string[] | string> | undefined;
    session.headersListener!({ responseHeaders: { 'content-security-policy': ["script-src 'unsafe-inline' *"], 'Content-Type': ['text/html'] } }, (response) => (answered = response.responseHeaders));
    expect(answered).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP], 'X-Content-Type-Options': ['nosniff'] });
    expect(withSecurityHeaders(undefined)['Content-Security-Policy']).toEqual([CSP]);
  });

  test('the CSP allows only our own scripts, and is the same policy holdfast serve sends', () => {
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect(CSP).toBe(SERVE_CSP);
  });
});
