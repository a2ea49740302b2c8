// The Backups page's first screen from the answer to first-request.js's early request, drawn by the
// entry module before it loads anything else (issue 17, bench row 7). The entry is this and the
// drawing code only (main.tsx): what is left of the app (stores, API client, React) is imported
// once this has drawn or given up, so nothing compiles or runs on the main thread when the answer
// lands. Nothing is drawn unless the answer is a 200 success envelope whose fields check out
// (page-answer.ts: no session, no drawing); then the stores and React decide (first-screen-store.ts).
import { earlyResponseCopy } from '../api/early-request.ts';
import { drawBackupsFirstScreen, firstScreenIsTable, type FirstScreenView } from '../first-screen.ts';
import { FIRST_SORT } from '../lib/backup-page-query.ts';
import { pageFromHash } from '../lib/pages.ts';
import { pageItemToRow } from '../lib/set-rows.ts';
import { readFirstScreenAnswer } from './page-answer.ts';

function viewOf(body: unknown): FirstScreenView | undefined {
  const answer = readFirstScreenAnswer(body);
  if (!answer) return undefined;
  const rows = answer.items.map(pageItemToRow);
  const view: FirstScreenView = {
    transport: 'http',
    total: answer.total,
    counts: answer.counts,
    listedProfiles: answer.profiles,
    // profile.list is the app's to ask; React's filter adds profiles without backups when it replaces this.
    knownProfiles: [],
    checkingFiles: answer.checkingFiles,
    sort: FIRST_SORT,
    rowAt: (index) => rows[index],
  };
  return firstScreenIsTable(view) ? view : undefined;
}

async function drawFrom(copy: Promise<Response>, root: HTMLElement): Promise<void> {
  const response = await copy;
  if (response.status !== 200) return;
  const view = viewOf(await response.json());
  // The page React will show (the hash may have changed meanwhile), and nothing drawn yet.
  if (view && pageFromHash(location.hash) === 'backups' && root.childElementCount === 0) drawBackupsFirstScreen(root, view);
}

/**
 * Draws the first screen from the early answer into root, if the page sent one; settles once drawn,
 * once the answer proved not drawable, or after waitMs (the app then loads and asks its stores).
 */
export function drawEarlyAnswer(root: HTMLElement, waitMs: number): Promise<void> {
  const copy = earlyResponseCopy();
  if (!copy) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
  const drawn = drawFrom(copy, root).catch(() => undefined);
  return Promise.race([drawn, waited]).finally(() => clearTimeout(timer));
}
