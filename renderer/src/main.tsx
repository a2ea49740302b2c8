import { drawEarlyAnswer } from './first-page/early-draw.ts';
import './styles/app.css';

// The entry is the first screen's drawing code and nothing else (issue 17, bench row 7): on a fresh
// load of the Backups page in a browser the early script's answer (first-request.js) often lands
// while the entry is still compiling and running, and the draw waits behind whatever the entry
// evaluates first. So the stores, the API client and React (boot.ts, mount.tsx) load only once
// the first screen is drawn, or once there is nothing to draw early (Electron, other pages, an
// answer that is not drawable).

/**
 * How long the app waits for the first answer before it loads and draws without it. Loading React's
 * chunk (evaluating it) and its first render hold the thread for as long as they take (~100 ms and
 * ~300 ms on two busy cores): started before the answer, they kept the drawn first screen from
 * appearing until they were done. A slower answer than this gets React's own "Loading backups…".
 * One wait for the whole load: the entry's for the early answer and the app's for its store share it.
 */
const FIRST_ANSWER_WAIT_MS = 500;

/**
 * Settles once the frame that paints what is drawn now has been produced (a task after the next
 * animation frame), or after a moment where no frame comes (a hidden tab draws none).
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}

const root = document.getElementById('root');
if (root) {
  const deadline = performance.now() + FIRST_ANSWER_WAIT_MS;
  drawEarlyAnswer(root, FIRST_ANSWER_WAIT_MS)
    // A drawn first screen is painted before the app's chunk is compiled and run in its way.
    .then(() => (root.childElementCount > 0 ? afterNextPaint() : undefined))
    .then(() => import('./boot.ts'))
    .then(({ boot }) => boot(root, Math.max(0, deadline - performance.now())))
    .catch((error: unknown) => {
      root.textContent = `Holdfast's interface could not load (${error instanceof Error ? error.message : String(error)}). Reload the page; if it persists, rebuild with npm run build.`;
    });
}
