// The desktop issue's two UI numbers, measured as a bench (never as timed tests):
//  7. first render of the Backups page with 10,000 catalogue rows, in Debian's Chromium (headless),
//     and (7e, 7f) scrolling that table to its end and its search + sort, which specs once timed;
//     7g/7h: the same first render with 100,000 rows, and the page's JS heap (memory flat: the table
//     holds pages near the screen, never the whole list);
//  8. `holdfast serve` from spawn to its first answer of POST /api/rpc/backup.page (the first page,
//     what the Backups table asks first; the schedules and the start-up file check start after that answer).
// No PostgreSQL: the catalogue rows are written straight into a throwaway HOLDFAST_HOME, the profile
// they reference is added through the Catalogue without connecting, and an empty file stands in for
// each backup so the start-up reconcile sees them present (as on a real install).
//
// Runs inside `npm run bench` (bench.ts appends this section), or alone:
//   BENCH_ONLY=ui npm run bench        (builds first)      npx tsx test/bench/ui-bench.ts   (uses dist/ as is)
// Alone, it replaces the UI section of test/bench/last-run.md and keeps the database section there.
// Knobs (environment): BENCH_UI_RUNS (default 7, at least 5), HOLDFAST_CHROMIUM (/usr/bin/chromium).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Cookie, type Page } from '@playwright/test';
import { Catalogue } from '../../main/core/catalogue/catalogue.ts';
import { BackupPageQuerySchema, selectBackupPage } from '../../main/core/catalogue/backup-page.ts';
import { makeHome, projectRoot, type TestHome } from '../support/holdfast-env.ts';
import { seedBackups } from '../support/seeded-home.ts';

const CLI = join(projectRoot, 'bin', 'holdfast.mjs');
const CHROMIUM = process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The E2E suite's viewport: how many rows are visible decides how many the table renders. */
const VIEWPORT = { width: 1440, height: 900 };
const HISTORY = 10_000;
/** Row 7g: the Backups page at 100,000 backups (issue 17's bench goal: < 500 ms, memory flat). BENCH_UI_LARGE overrides it for a quick try. */
const LARGE_HISTORY = Number(process.env.BENCH_UI_LARGE ?? 100_000);
const LARGE_TARGET_MS = 500;
const RENDER_TARGET_MS = 300;
export const UI_SECTION_TITLE = '## Holdfast UI bench';

export interface UiBenchOptions {
  runs?: number;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface UiBenchResult {
  /** Markdown table rows, `| measurement | Holdfast | baseline | ratio | target |`. */
  rows: string[];
  /** Lines under the table: how it was measured, the breakdown, every sample. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------------
// Small helpers (the bench's own are not exported; these are the few this module needs)

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const list = (values: readonly number[]) => values.map((v) => Math.round(v)).join(', ');
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** Each iteration runs every side once; the order rotates so each side takes each position. */
function rotated<T>(items: readonly T[], iteration: number): T[] {
  const k = iteration % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function newestMtime(dir: string, suffixes: readonly string[]): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newestMtime(full, suffixes));
    else if (suffixes.some((suffix) => entry.name.endsWith(suffix))) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

/** What bin/holdfast.mjs runs (its own rule): the bundle while it is newer than every main/ source, else tsx. */
function cliMode(): string {
  const bundle = join(projectRoot, 'dist', 'cli.mjs');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(join(projectRoot, 'main'), ['.ts'])) return `the dist/cli.mjs bundle (built ${statSync(bundle).mtime.toISOString()})`;
  return '**main/ sources through tsx** (no dist/cli.mjs newer than the sources: run `npm run build` for the bundle a user gets)';
}

/** The renderer `holdfast serve` sends; a stale build would measure old code. */
function rendererBuild(): string {
  const index = join(projectRoot, 'dist', 'renderer', 'index.html');
  if (!existsSync(index)) throw new Error('dist/renderer is missing: run `npm run build:renderer` (or `BENCH_ONLY=ui npm run bench`, which builds first)');
  const built = statSync(index).mtimeMs;
  const stale = newestMtime(join(projectRoot, 'renderer'), ['.ts', '.tsx', '.css', '.html']) > built;
  return `dist/renderer built ${new Date(built).toISOString()}${stale ? ' — **older than renderer/ sources: re-run with `npm run build:renderer` first**' : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Throwaway homes

interface BenchHome {
  label: string;
  home: TestHome;
  backups: number;
}

/** A throwaway HOLDFAST_HOME with `count` hourly backups (test/support/seeded-home.ts). */
function seedHome(label: string, count: number): BenchHome {
  const home = makeHome();
  seedBackups(home, count);
  return { label, home, backups: count };
}

// ---------------------------------------------------------------------------------------------------
// Processes: `holdfast serve` and the baselines

const live = new Set<ChildProcess>();

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Started {
  child: ChildProcess;
  origin: string;
  /** The URL with its token, as printed. */
  url: string;
  token: string;
  spawnedAt: number;
  /** performance.now() when the URL line arrived. */
  printedAt: number;
}

/** Spawns a server (argument array, no shell) and resolves when `pattern` matches its stdout. */
function spawnServer(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp, signal?: AbortSignal): Promise<{ child: ChildProcess; match: RegExpExecArray; spawnedAt: number; printedAt: number }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    let out = '';
    let err = '';
    let done = false;
    const onAbort = () => fail(new Error('aborted'));
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      void stopChild(child);
      reject(error);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match && !done) {
        done = true;
        signal?.removeEventListener('abort', onAbort);
        resolve({ child, match, spawnedAt, printedAt: performance.now() });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited ${code} before printing its address:\n${err}${out}`)));
    if (signal?.aborted) fail(new Error('aborted'));
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function startServe(home: TestHome, signal?: AbortSignal): Promise<Started> {
  const { child, match, spawnedAt, printedAt } = await spawnServer([CLI, 'serve'], { ...process.env, ...home.env }, /Holdfast UI: (http:\/\/\S+)\n/, signal);
  const url = new URL(match[1]!);
  return { child, origin: url.origin, url: url.href, token: url.searchParams.get('token')!, spawnedAt, printedAt };
}

/** The floor for "a Node HTTP server answers": Fastify alone, listening on a free port, one POST route. */
const BARE_FASTIFY = `import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.post('/api/rpc/backup.page', async () => ({ ok: true, value: [] }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write('listening http://127.0.0.1:' + app.server.address().port + '\\n');
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));`;

/** POST over a fresh connection (node:http: nothing lazy to load in this process on the first call). */
function post(origin: string, path: string, body: unknown, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, origin),
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': data.length, ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

interface ServeSample {
  /** spawn → the "Holdfast UI: <url>" line read from stdout (the server is listening). */
  printed: number;
  /** spawn → the whole 200 answer of backup.page (the first page) received. */
  answered: number;
  bytes: number;
}

/** One cold start: spawn, read the printed URL, POST backup.page (the first page) with the bearer token at once, stop. */
async function timeServe(home: BenchHome, signal?: AbortSignal): Promise<ServeSample> {
  const started = await startServe(home.home, signal);
  try {
    const answer = await post(started.origin, '/api/rpc/backup.page', {}, started.token);
    const answered = performance.now() - started.spawnedAt;
    if (answer.status !== 200) throw new Error(`backup.page answered HTTP ${answer.status}: ${answer.text.slice(0, 500)}`);
    const envelope = JSON.parse(answer.text) as { ok: boolean; value?: { total: number } };
    if (!envelope.ok || envelope.value?.total !== home.backups) throw new Error(`backup.page on the ${home.label} home counted ${envelope.value?.total ?? 'no'} rows, expected ${home.backups}`);
    return { printed: started.printedAt - started.spawnedAt, answered, bytes: Buffer.byteLength(answer.text) };
  } finally {
    await stopChild(started.child);
  }
}

async function timeBareFastify(signal?: AbortSignal): Promise<ServeSample> {
  const { child, match, spawnedAt, printedAt } = await spawnServer(['--input-type=module', '-e', BARE_FASTIFY], process.env, /listening (http:\/\/\S+)\n/, signal);
  try {
    const answer = await post(match[1]!, '/api/rpc/backup.page', {});
    const answered = performance.now() - spawnedAt;
    if (answer.status !== 200) throw new Error(`bare Fastify answered HTTP ${answer.status}`);
    return { printed: printedAt - spawnedAt, answered, bytes: Buffer.byteLength(answer.text) };
  } finally {
    await stopChild(child);
  }
}

function timeNodeBare(): Promise<number> {
  return timeProcess(['-e', '0'], process.env);
}

/** `holdfast profile list --json` on a home: the CLI's start (bundle, catalogue, the start-up file check of every backup) and exit. */
function timeCliList(home: BenchHome): Promise<number> {
  return timeProcess([CLI, 'profile', 'list', '--json'], { ...process.env, ...home.home.env });
}

/** Spawn → exit of `node <args>`, rejecting on a non-zero exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env });
    live.add(child);
    child.once('error', reject);
    child.once('exit', (code) => {
      live.delete(child);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited ${code}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// In the page. Strings, not functions: tsx's transform may wrap functions in helpers the page lacks.

/**
 * Installed before any page script. performance.now() counts from the navigation start of this
 * document (its time origin). `firstRow`: a MutationObserver callback saw the first body row of the
 * Backups table in the DOM (React has committed it). `firstRowFrame`: the task after the next
 * animation frame, i.e. once that frame (which paints the row) has been produced. `click`: the
 * timeStamp of the trusted click on the Backups link (same clock).
 */
const PAGE_PROBE = `(() => {
  let painted;
  const mark = { firstRow: null, firstRowFrame: null, click: null, painted: new Promise((resolve) => { painted = resolve; }) };
  window.__holdfastBench = mark;
  const check = () => {
    if (mark.firstRow !== null || !document.querySelector('.vtable__row--body')) return;
    mark.firstRow = performance.now();
    requestAnimationFrame(() => setTimeout(() => { mark.firstRowFrame = performance.now(); painted(); }, 0));
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  document.addEventListener('click', (event) => {
    const target = event.target;
    if (target instanceof Element && target.closest('a[href="#/backups"]')) mark.click = event.timeStamp;
  }, true);
})();`;

const READ_MARKS = `(() => {
  const mark = window.__holdfastBench;
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const script = resources.find((e) => /\\/assets\\/index-[^/]*\\.js$/.test(e.name));
  const lists = resources.filter((e) => e.name.endsWith('/api/rpc/backup.page')).map((e) => ({ start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize }));
  return {
    firstRow: mark.firstRow, firstRowFrame: mark.firstRowFrame, click: mark.click,
    documentEnd: nav ? nav.responseEnd : null,
    scriptRun: nav ? nav.domContentLoadedEventEnd : null,
    scriptEnd: script ? script.responseEnd : null,
    lists,
    rendered: document.querySelectorAll('.vtable__row--body').length,
  };
})()`;

interface PageMarks {
  firstRow: number;
  firstRowFrame: number;
  click: number | null;
  documentEnd: number | null;
  /** DOMContentLoaded handled: the (deferred) module script has run. */
  scriptRun: number | null;
  scriptEnd: number | null;
  lists: Array<{ start: number; end: number; bytes: number }>;
  rendered: number;
}

interface Session {
  origin: string;
  cookies: Cookie[];
}

/** Opens the printed URL once, as a user does: the token becomes a session cookie the runs reuse. */
async function session(browser: Browser, started: Started): Promise<Session> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(started.url);
    await page.waitForURL(`${started.origin}/`);
    const cookies = await context.cookies();
    if (!cookies.some((cookie) => cookie.name === 'holdfast_session')) throw new Error('opening the printed URL gave no session cookie');
    return { origin: started.origin, cookies };
  } finally {
    await context.close();
  }
}

const COUNT_TEXT = (n: number) => `${n.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`;

/**
 * The Backups page with every row counted and React in charge: the screen the early script draws
 * (renderer/src/first-screen.ts, marked data-first-screen) shows the same count, but React replaces
 * it, so a table found before that would be a detached one.
 */
async function backupsSettled(page: Page, rows: number, timeout: number): Promise<void> {
  await page.locator('.toolbar__count', { hasText: new RegExp(`^${COUNT_TEXT(rows)}$`) }).waitFor({ timeout });
  await page.locator('[data-first-screen]').waitFor({ state: 'detached', timeout });
}

/**
 * In a new browser context (no HTTP or code cache, no app state; the session cookie added), either
 * load `/#/backups` directly ("load") or load `/#/dashboard`, let it settle and click Backups ("nav").
 */
async function timeRender(browser: Browser, home: BenchHome, where: Session, mode: 'load' | 'nav'): Promise<PageMarks> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    await context.addCookies(where.cookies);
    await context.addInitScript({ content: PAGE_PROBE });
    const page = await context.newPage();
    if (mode === 'load') {
      await page.goto(`${where.origin}/#/backups`, { waitUntil: 'commit' });
    } else {
      await page.goto(`${where.origin}/#/dashboard`);
      // Settled: the app's start-up calls (backups, profiles, health, schedules…) have all answered.
      await page.waitForLoadState('networkidle');
      await page.getByRole('link', { name: 'Backups' }).click();
    }
    // A string evaluated through the debugger protocol, which the page's CSP allows (waitForFunction
    // with a string evals inside the page, which it does not); it resolves once the row was painted.
    await page.evaluate('window.__holdfastBench.painted');
    const marks = (await page.evaluate(READ_MARKS)) as PageMarks;
    // The rows measured are the whole history, and only the visible ones are in the DOM.
    await backupsSettled(page, home.backups, 60_000);
    if (mode === 'nav' && marks.click === null) throw new Error('the click on Backups was not seen by the page');
    return marks;
  } finally {
    await context.close();
  }
}

/**
 * Resolves with the ms from scrolling the loaded table to its bottom until its last row (aria-rowindex
 * = rows + 1, the header being 1) is in the DOM, as the MutationObserver sees it.
 */
const SCROLL_TO_END = (rows: number) => `new Promise((resolve) => {
  const scroller = document.querySelector('.vtable__scroll');
  const want = '${rows + 1}';
  const atEnd = () => { const body = scroller.querySelectorAll('.vtable__row--body'); return body.length > 0 && body[body.length - 1].getAttribute('aria-rowindex') === want; };
  const started = performance.now();
  // A table that already shows its last row (one backup) changes nothing when scrolled.
  if (atEnd()) { resolve(0); return; }
  const observer = new MutationObserver(() => { if (atEnd()) { observer.disconnect(); resolve(performance.now() - started); } });
  observer.observe(scroller, { childList: true, subtree: true, attributes: true });
  scroller.scrollTo({ top: scroller.scrollHeight });
})`;

/** 7e: the Backups page loaded with the whole history, then scrolled to its last row. */
async function timeScroll(browser: Browser, home: BenchHome, where: Session): Promise<number> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    await context.addCookies(where.cookies);
    const page = await context.newPage();
    await page.goto(`${where.origin}/#/backups`);
    await backupsSettled(page, home.backups, 60_000);
    return (await page.evaluate(SCROLL_TO_END(home.backups))) as number;
  } finally {
    await context.close();
  }
}

/**
 * 7f: the Backups table's search and sort, which the catalogue now runs (backup.page,
 * main/core/catalogue/backup-page.ts): typing a month into the search box and sorting by size, the
 * first page of the answer, in Node against the home's SQLite file.
 */
function timeSearchAndSort(home: BenchHome, runs: number): number[] {
  const catalogue = new Catalogue(join(home.home.home, 'catalogue.sqlite'));
  try {
    const all = catalogue.listBackupSummaries();
    const month = all[Math.floor(all.length / 2)]!.timestamp.slice(0, 7);
    const samples: number[] = [];
    // One untimed pass first, as everywhere here.
    for (let i = 0; i <= runs; i += 1) {
      const started = performance.now();
      const found = selectBackupPage(catalogue.db, BackupPageQuerySchema.parse({ text: month, sort: 'size', direction: 'desc' }));
      const took = performance.now() - started;
      if (found.total === 0) throw new Error(`searching ${month} found none of the ${all.length} rows`);
      if (i > 0) samples.push(took);
    }
    return samples;
  } finally {
    catalogue.close();
  }
}

/** The page's JS heap after a forced garbage collection (DevTools protocol), in bytes. */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

interface HeapSample {
  /** After the first screen, with the count read. */
  opened: number;
  /** After scrolling to the last row (every page passed over once). */
  scrolled: number;
}

/** 7h: the Backups page's heap once open, and once scrolled to its end. */
async function measureHeap(browser: Browser, home: BenchHome, where: Session): Promise<HeapSample> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    await context.addCookies(where.cookies);
    const page = await context.newPage();
    await page.goto(`${where.origin}/#/backups`);
    await backupsSettled(page, home.backups, 120_000);
    const opened = await heapAfterGc(page);
    await page.evaluate(SCROLL_TO_END(home.backups));
    return { opened, scrolled: await heapAfterGc(page) };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------------

export async function runUiBench(options: UiBenchOptions = {}): Promise<UiBenchResult> {
  const runs = Math.max(5, options.runs ?? Number(process.env.BENCH_UI_RUNS ?? 7));
  const log = options.log ?? ((text: string) => process.stderr.write(`[ui-bench] ${text}\n`));
  const signal = options.signal;
  const homes: BenchHome[] = [];
  const servers: Started[] = [];
  let browser: Browser | undefined;
  const onAbort = () => {
    for (const child of live) child.kill('SIGTERM');
    void browser?.close();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const loadAtStart = loadavg();
  const modeAtStart = cliMode();
  const renderer = rendererBuild();
  try {
    let t = performance.now();
    const tenk = seedHome('10,000-backup', HISTORY);
    homes.push(tenk);
    const seedMs = performance.now() - t;
    const one = seedHome('1-backup', 1);
    homes.push(one);
    const empty = seedHome('empty', 0);
    homes.push(empty);
    log(`wrote ${HISTORY.toLocaleString('en')} catalogue rows (+ runs and empty files) in ${ms(seedMs)}`);
    t = performance.now();
    const large = seedHome(`${LARGE_HISTORY.toLocaleString('en')}-backup`, LARGE_HISTORY);
    homes.push(large);
    const largeSeedMs = performance.now() - t;
    log(`wrote ${LARGE_HISTORY.toLocaleString('en')} catalogue rows in ${ms(largeSeedMs)}`);

    // --- 8: holdfast serve, spawn → first answer ------------------------------------------------------
    const serve = { tenk: [] as ServeSample[], empty: [] as ServeSample[], fastify: [] as ServeSample[], node: [] as number[], cliTenk: [] as number[], cliOne: [] as number[] };
    // One untimed start of each first: the files it reads come from the page cache in every timed run.
    await timeServe(tenk, signal);
    await timeServe(empty, signal);
    await timeBareFastify(signal);
    await timeCliList(tenk);
    await timeCliList(one);
    for (let i = 0; i < runs; i += 1) {
      for (const side of rotated(['tenk', 'empty', 'fastify', 'node', 'cliTenk', 'cliOne'] as const, i)) {
        if (side === 'tenk') serve.tenk.push(await timeServe(tenk, signal));
        else if (side === 'empty') serve.empty.push(await timeServe(empty, signal));
        else if (side === 'fastify') serve.fastify.push(await timeBareFastify(signal));
        else if (side === 'cliTenk') serve.cliTenk.push(await timeCliList(tenk));
        else if (side === 'cliOne') serve.cliOne.push(await timeCliList(one));
        else serve.node.push(await timeNodeBare());
      }
      log(
        `serve ${i + 1}/${runs}: 10,000 rows ${ms(serve.tenk.at(-1)!.answered)}, empty ${ms(serve.empty.at(-1)!.answered)}, bare Fastify ${ms(serve.fastify.at(-1)!.answered)}, node -e 0 ${ms(serve.node.at(-1)!)}`,
      );
    }

    // --- 7: first render of the Backups page -----------------------------------------------------------
    const tenkServer = await startServe(tenk.home, signal);
    servers.push(tenkServer);
    const oneServer = await startServe(one.home, signal);
    servers.push(oneServer);
    const largeServer = await startServe(large.home, signal);
    servers.push(largeServer);
    // Playwright's own signal handlers would exit the process once the browser is closed, before the
    // servers are stopped and the homes removed; the abort signal closes the browser instead.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    const version = browser.version();
    const sessions = { tenk: await session(browser, tenkServer), one: await session(browser, oneServer), large: await session(browser, largeServer) };
    const homeOf = { tenk, one, large };
    // Untimed warm-up of each kind: the browser's first renderer process and the server's first answer.
    for (const side of ['tenk', 'one'] as const) {
      await timeRender(browser, homeOf[side], sessions[side], 'load');
      await timeRender(browser, homeOf[side], sessions[side], 'nav');
    }
    const render = { load: { tenk: [] as PageMarks[], one: [] as PageMarks[] }, nav: { tenk: [] as PageMarks[], one: [] as PageMarks[] } };
    for (let i = 0; i < runs; i += 1) {
      for (const side of rotated(['tenk', 'one'] as const, i)) {
        for (const mode of rotated(['load', 'nav'] as const, i)) render[mode][side].push(await timeRender(browser, homeOf[side], sessions[side], mode));
      }
      log(
        `render ${i + 1}/${runs}: load 10,000 ${ms(render.load.tenk.at(-1)!.firstRow)} (1 row ${ms(render.load.one.at(-1)!.firstRow)}); nav 10,000 ${ms(render.nav.tenk.at(-1)!.firstRow - render.nav.tenk.at(-1)!.click!)}`,
      );
    }
    // --- 7g/7h: the same page at LARGE_HISTORY rows: first render, and its heap (memory flat) ---------
    await timeRender(browser, large, sessions.large, 'load');
    const largeLoad: PageMarks[] = [];
    for (let i = 0; i < runs; i += 1) largeLoad.push(await timeRender(browser, large, sessions.large, 'load'));
    log(`render ${LARGE_HISTORY.toLocaleString('en')}: ${list(largeLoad.map((m) => m.firstRow))} ms`);
    const heaps = { one: await measureHeap(browser, one, sessions.one), tenk: await measureHeap(browser, tenk, sessions.tenk), large: await measureHeap(browser, large, sessions.large) };
    log(
      `heap (open / scrolled to the end): 1 row ${mb(heaps.one.opened)} / ${mb(heaps.one.scrolled)}, 10,000 ${mb(heaps.tenk.opened)} / ${mb(heaps.tenk.scrolled)}, ${LARGE_HISTORY.toLocaleString('en')} ${mb(heaps.large.opened)} / ${mb(heaps.large.scrolled)}`,
    );

    await timeScroll(browser, tenk, sessions.tenk);
    const scroll: number[] = [];
    for (let i = 0; i < runs; i += 1) scroll.push(await timeScroll(browser, tenk, sessions.tenk));
    log(`scroll to the end of 10,000: ${list(scroll)} ms`);
    const searchSort = timeSearchAndSort(tenk, runs);
    log(`search + sort of 10,000 rows: ${searchSort.map((v) => v.toFixed(1)).join(', ')} ms`);

    // --- Results ---------------------------------------------------------------------------------------
    const firstRow = (marks: PageMarks[]) => marks.map((m) => m.firstRow);
    const firstFrame = (marks: PageMarks[]) => marks.map((m) => m.firstRowFrame);
    const fromClick = (marks: PageMarks[]) => marks.map((m) => m.firstRow - m.click!);
    const fromClickFrame = (marks: PageMarks[]) => marks.map((m) => m.firstRowFrame - m.click!);
    const loadMs = median(firstRow(render.load.tenk));
    const largeMs = median(firstRow(largeLoad));
    // Flat: the 100,000-row page holds no more than a few MB over the 1-row page, open or scrolled to its end.
    const heapGrowth = Math.max(heaps.large.opened, heaps.large.scrolled) - heaps.one.opened;
    const navMs = median(fromClick(render.nav.tenk));
    const verdict = (value: number) => (value < RENDER_TARGET_MS ? '— ✓' : '— ✗ missed');
    const field = (marks: PageMarks[], pick: (m: PageMarks) => number | null | undefined) => median(marks.map(pick).filter((v): v is number => typeof v === 'number'));
    const firstList = (m: PageMarks) => [...m.lists].sort((a, b) => a.end - b.end)[0];
    const listCalls = median(render.load.tenk.map((m) => m.lists.filter((l) => l.start < m.firstRow).length));
    const rendered = Math.max(...render.load.tenk.map((m) => m.rendered), ...render.nav.tenk.map((m) => m.rendered));

    const rows = [
      `| 7. Backups page first render, ${HISTORY.toLocaleString('en')} catalogue rows, fresh page load of \`/#/backups\` (new browser context, session cookie set): navigation start → first table row in the DOM (baseline: same with 1 row) | ${ms(loadMs)} | ${ms(median(firstRow(render.load.one)))} | ${verdict(loadMs)} | < ${RENDER_TARGET_MS} ms (absolute) |`,
      `| 7b. same, navigation start → first frame produced after that row (the frame that paints it) | ${ms(median(firstFrame(render.load.tenk)))} | ${ms(median(firstFrame(render.load.one)))} | — | absolute (info) |`,
      `| 7c. Backups from the nav on a loaded app (Overview settled, catalogue already fetched): click → first table row in the DOM (baseline: 1 row) | ${ms(navMs)} | ${ms(median(fromClick(render.nav.one)))} | ${verdict(navMs)} | < ${RENDER_TARGET_MS} ms (absolute) |`,
      `| 7d. same, click → first frame produced after that row | ${ms(median(fromClickFrame(render.nav.tenk)))} | ${ms(median(fromClickFrame(render.nav.one)))} | — | absolute (info) |`,
      `| 7e. Backups table with ${HISTORY.toLocaleString('en')} rows loaded: scroll to the bottom → its last row in the DOM (the E2E suite checks that it gets there, not how fast) | ${ms(median(scroll))} | — | — | absolute (info) |`,
      `| 7f. Backups table's search (one month of ${HISTORY.toLocaleString('en')} rows) + sort by size, first page of \`backup.page\` in the catalogue (\`main/core/catalogue/backup-page.ts\`, in Node; its spec checks the result, not the time) | ${median(searchSort).toFixed(1)} ms | — | — | absolute (info) |`,
      `| 7g. Backups page first render, ${LARGE_HISTORY.toLocaleString('en')} catalogue rows, fresh page load as row 7 (baseline: 1 row) | ${ms(largeMs)} | ${ms(median(firstRow(render.load.one)))} | ${largeMs < LARGE_TARGET_MS ? '— ✓' : '— ✗ missed'} | < ${LARGE_TARGET_MS} ms (absolute) |`,
      `| 7h. Backups page JS heap after GC, ${LARGE_HISTORY.toLocaleString('en')} rows: open / scrolled to its last row (baseline: 1 row open; 10,000 rows: ${mb(heaps.tenk.opened)} / ${mb(heaps.tenk.scrolled)}) | ${mb(heaps.large.opened)} / ${mb(heaps.large.scrolled)} | ${mb(heaps.one.opened)} | +${mb(heapGrowth)} | flat: within a few MB of the baseline |`,
      `| 8. \`holdfast serve\` start, ${HISTORY.toLocaleString('en')}-backup home: spawn → first 200 answer of \`POST /api/rpc/backup.page\` (the first page) (bearer token; of which spawn → URL printed ${ms(median(serve.tenk.map((s) => s.printed)))}) (baseline: empty home) | ${ms(median(serve.tenk.map((s) => s.answered)))} | ${ms(median(serve.empty.map((s) => s.answered)))} | — | absolute (info) |`,
      `| 8b. \`holdfast serve\` start, empty home: spawn → first 200 answer (of which spawn → URL printed ${ms(median(serve.empty.map((s) => s.printed)))}) (baseline: a bare Fastify listen → first 200, in \`node\`) | ${ms(median(serve.empty.map((s) => s.answered)))} | ${ms(median(serve.fastify.map((s) => s.answered)))} | — | absolute (info) |`,
      `| 8c. \`node -e 0\` (process start and exit, for reading rows 8) | ${ms(median(serve.node))} | — | — | absolute (info) |`,
      `| 8d. \`holdfast profile list --json\`, ${HISTORY.toLocaleString('en')}-backup home: spawn → exit (every command's start, the file check of every backup included) (baseline: 1-backup home) | ${ms(median(serve.cliTenk))} | ${ms(median(serve.cliOne))} | — | absolute (info) |`,
    ];

    const notes = [
      `Where row 7's time goes (medians, ms from navigation start, ${HISTORY.toLocaleString('en')} rows): document received ${Math.round(field(render.load.tenk, (m) => m.documentEnd))}; JS bundle received ${Math.round(field(render.load.tenk, (m) => m.scriptEnd))} and run (DOMContentLoaded) ${Math.round(field(render.load.tenk, (m) => m.scriptRun))}; first \`backup.page\` answer received ${Math.round(field(render.load.tenk, (m) => firstList(m)?.end))} (asked at ${Math.round(field(render.load.tenk, (m) => firstList(m)?.start))}, ${mb(field(render.load.tenk, (m) => firstList(m)?.bytes))} of JSON; ${listCalls} \`backup.page\` call(s) started before the first row); first row ${Math.round(loadMs)}. With 1 row: bundle received ${Math.round(field(render.load.one, (m) => m.scriptEnd))} and run ${Math.round(field(render.load.one, (m) => m.scriptRun))}, \`backup.page\` asked at ${Math.round(field(render.load.one, (m) => firstList(m)?.start))} and answered ${Math.round(field(render.load.one, (m) => firstList(m)?.end))}, first row ${Math.round(median(firstRow(render.load.one)))}.`,
      `At most ${rendered} body rows were in the DOM at any measured moment (the table is virtualised); each run waited for the count to read "${COUNT_TEXT(HISTORY)}" after its first row.`,
      `\`backup.page\` (first page) over HTTP on the ${HISTORY.toLocaleString('en')}-backup home: ${mb(median(serve.tenk.map((s) => s.bytes)))} of JSON.`,
      `Row 7g/7h: ${LARGE_HISTORY.toLocaleString('en')} rows written in ${ms(largeSeedMs)}; heap is \`Runtime.getHeapUsage\` after \`HeapProfiler.collectGarbage\`, once the count reads "${COUNT_TEXT(LARGE_HISTORY)}" and again after scrolling to the last row.`,
      '',
      'Samples (ms, in run order):',
      `- 7 load, 10,000 rows: ${list(firstRow(render.load.tenk))}; 1 row: ${list(firstRow(render.load.one))}`,
      `- 7b frame, 10,000 rows: ${list(firstFrame(render.load.tenk))}; 1 row: ${list(firstFrame(render.load.one))}`,
      `- 7c click, 10,000 rows: ${list(fromClick(render.nav.tenk))}; 1 row: ${list(fromClick(render.nav.one))}`,
      `- 7d click → frame, 10,000 rows: ${list(fromClickFrame(render.nav.tenk))}; 1 row: ${list(fromClickFrame(render.nav.one))}`,
      `- 7e scroll to the end, 10,000 rows: ${list(scroll)}`,
      `- 7g load, ${LARGE_HISTORY.toLocaleString('en')} rows: ${list(firstRow(largeLoad))}`,
      `- 7f search + sort, 10,000 rows: ${searchSort.map((v) => v.toFixed(1)).join(', ')}`,
      `- 8 serve 10,000: answered ${list(serve.tenk.map((s) => s.answered))} (URL printed ${list(serve.tenk.map((s) => s.printed))})`,
      `- 8b serve empty: answered ${list(serve.empty.map((s) => s.answered))} (URL printed ${list(serve.empty.map((s) => s.printed))}); bare Fastify: answered ${list(serve.fastify.map((s) => s.answered))} (listening ${list(serve.fastify.map((s) => s.printed))})`,
      `- 8c node -e 0: ${list(serve.node)}`,
      `- 8d profile list, 10,000: ${list(serve.cliTenk)}; 1 backup: ${list(serve.cliOne)}`,
    ];

    const header = [
      `Chromium ${version} (${CHROMIUM}, headless, ${CHROMIUM_ARGS.join(' ')}), viewport ${VIEWPORT.width}×${VIEWPORT.height}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}. No PostgreSQL: ${HISTORY.toLocaleString('en')} hourly backups of one profile written into a throwaway HOLDFAST_HOME with the Catalogue class (${ms(seedMs)}), an empty file under each backup's name.`,
      `\`holdfast serve\` ran ${modeAtStart}${cliMode() === modeAtStart ? '' : ` at start, ${cliMode()} at the end`}; ${renderer}. Load average (1/5/15 min) at start ${loadAtStart.map((v) => v.toFixed(2)).join(' / ')}, at end ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' / ')}.`,
      `Every timing: median of ${runs} runs after one untimed warm-up of each kind, sides alternated. Row 7/7c: each run is a new browser context (no HTTP or code cache, session cookie from opening the printed URL once); times are \`performance.now()\` inside the page — from the document's navigation start (row 7) or the click event's timeStamp (row 7c) to the MutationObserver callback that first sees a \`.vtable__row--body\` element. Row 8: \`node bin/holdfast.mjs serve\` spawned with the home as HOLDFAST_HOME, its printed URL read from stdout, then one POST \`{}\` to \`backup.page\` (its first page) with \`Authorization: Bearer <token>\` on a new connection; the time is to the end of the 200 answer (its total is checked), then the server is stopped with SIGTERM.`,
    ];
    return { rows, notes: [...header, '', ...notes] };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await browser?.close().catch(() => undefined);
    await Promise.allSettled(servers.map((server) => stopChild(server.child)));
    await Promise.allSettled([...live].map(stopChild));
    for (const home of homes) home.home.cleanup();
  }
}

/** The section bench.ts appends to its output (and this module writes alone): title, table, notes. */
export function uiSection(result: UiBenchResult): string[] {
  return [
    `${UI_SECTION_TITLE} — ${new Date().toISOString()}`,
    '',
    'The Backups page and `holdfast serve` start-up, absolute numbers (no PostgreSQL involved).',
    '',
    '| measurement | Holdfast | baseline | ratio | target |',
    '|---|---|---|---|---|',
    ...result.rows,
    '',
    ...result.notes,
  ];
}

/** Alone: print the section and put it in last-run.md in place of the previous UI section. */
export async function runUiBenchAlone(options: UiBenchOptions = {}): Promise<void> {
  const result = await runUiBench(options);
  const section = `${uiSection(result).join('\n')}\n`;
  process.stdout.write(`\n${section}`);
  const file = join(projectRoot, 'test', 'bench', 'last-run.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(`\n${UI_SECTION_TITLE}`);
  const kept = (at >= 0 ? previous.slice(0, at + 1) : previous).trimEnd();
  writeFileSync(file, kept ? `${kept}\n\n${section}` : section);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const abort = new AbortController();
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a
  // second signal without a listener would end it before the servers are stopped and the homes removed.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (abort.signal.aborted) return;
      process.stderr.write(`\nui-bench: ${signal}: stopping the servers and the browser, removing the temp homes…\n`);
      abort.abort();
      process.exitCode = 130;
    });
  }
  try {
    await runUiBenchAlone({ signal: abort.signal });
  } catch (error) {
    if (abort.signal.aborted) process.stderr.write('ui-bench: stopped; servers, browser and temp homes are gone.\n');
    else {
      process.stderr.write(`ui-bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
