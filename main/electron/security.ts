// Hardening that must be in place before the first window exists. harden.ts applies it at import
// time and is the first import of main.ts; the functions here take their Electron objects as
// parameters so the unit specs can drive them with stand-ins.
import type { CustomScheme, HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import { APP_SCHEME, isAppUrl } from './app-origin.ts';
import { safeOpenExternal, type OpenExternal } from './safe-open-external.ts';

/**
 * The renderer's Content-Security-Policy: the same directives `holdfast serve` sends (a spec keeps
 * them equal), so the UI behaves the same in the desktop app and in a browser. No inline or remote
 * script, no eval, nothing framed, no form posts.
 */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** holdfast:// behaves like https for the renderer: a real origin, a secure context, fetch works. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

export type Log = (message: string) => void;

type Preventable = { preventDefault(): void };

/** The parts of WebContents the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (details: Preventable & { url: string }) => void): unknown;
  on(event: 'will-frame-navigate', listener: (details: Preventable & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (details: Preventable & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  readonly session: SecuredSession;
}

type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void) => void;

/** The parts of Session the guards use. */
export interface SecuredSession {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
  readonly webRequest: { onHeadersReceived(listener: HeadersListener | null): void };
}

export interface HardenableApp {
  enableSandbox(): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardedContents) => void): unknown;
}

export interface SchemeRegistry {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
}

/**
 * Before app 'ready': every renderer sandboxed, holdfast:// privileged, and every WebContents that
 * will ever exist guarded (navigation, new windows, webviews) along with its session (permissions,
 * CSP) from the moment it is created, before it loads anything.
 */
export function hardenApp(app: HardenableApp, protocol: SchemeRegistry, shell: OpenExternal, log: Log = () => {}): void {
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, shell, log);
    secureSession(contents.session, log);
  });
}

/** Navigation stays on the app's origin; https links go to the browser; no windows, no webviews. */
export function guardWebContents(contents: GuardedContents, shell: OpenExternal, log: Log = () => {}): void {
  const stayHome = (openOutside: boolean) => (details: Preventable & { url: string }) => {
    if (isAppUrl(details.url)) return;
    details.preventDefault();
    if (!openOutside || !safeOpenExternal(shell, details.url, log)) log(`blocked navigation away from the app`);
  };
  contents.on('will-navigate', stayHome(true));
  contents.on('will-frame-navigate', stayHome(false));
  contents.on('will-redirect', stayHome(false));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    safeOpenExternal(shell, url, log);
    return { action: 'deny' };
  });
}

const secured = new WeakSet<SecuredSession>();

/** Every permission (camera, notifications, clipboard, …) is refused; every response carries the CSP. */
export function secureSession(session: SecuredSession, log: Log = () => {}): void {
  if (secured.has(session)) return;
  secured.add(session);
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    log(`refused permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) }));
}

/** Response headers with our CSP in place of any the response brought. */
export function withSecurityHeaders(headers: Record<string, string[]> = {}): Record<string, string[]> {
  const kept = Object.entries(headers).filter(([name]) => !['content-security-policy', 'content-security-policy-report-only', 'x-content-type-options'].includes(name.toLowerCase()));
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CSP], 'X-Content-Type-Options': ['nosniff'] };
}
