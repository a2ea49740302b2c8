// Runs dist/electron/main.mjs against fake-electron.mjs, plays the renderer (an IPC call from the app's
// page and one from a foreign page, a request to holdfast://) and the user (close the window, quit),
// and prints what happened as JSON for main-bundle.test.ts.
import { app, recorded, session } from 'electron';

const [mainBundle] = process.argv.slice(2);
const report = {};
const waitFor = async (predicate, what) => {
  for (let i = 0; i < 400; i += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

await import(mainBundle);
await waitFor(() => recorded.windows.length > 0 && recorded.trays.length > 0, 'the window and the tray');
const window = recorded.windows[0];
await waitFor(() => window.visible, 'the window to show');
report.sandboxEnabled = recorded.sandboxEnabled;
report.privilegedSchemes = recorded.privilegedSchemes;
report.webPreferences = { ...window.options.webPreferences, preload: window.options.webPreferences.preload.split('/').slice(-2).join('/') };
report.loadedUrl = window.loadedUrl;
report.guards = {
  windowOpen: typeof window.webContents.windowOpenHandler,
  willNavigate: window.webContents.listenerCount('will-navigate'),
  permissionRequest: typeof window.webContents.session.permissionRequestHandler,
};
report.ipcChannels = [...recorded.ipcHandlers.keys()].length;
report.ipcListeners = [...recorded.ipcListeners.keys()];
const sender = window.webContents;
const list = recorded.ipcHandlers.get('holdfast:rpc:profile.list');
report.fromApp = await list({ senderFrame: { url: 'holdfast://app/index.html' }, sender }, {});
report.fromForeign = await list({ senderFrame: { url: 'https://evil.example/' }, sender }, {}).then(
  (value) => ({ resolved: value }),
  (error) => ({ rejected: error.message }),
);
const serve = recorded.protocolHandlers.get('holdfast');
const response = await serve(new Request('holdfast://app/../../package.json'));
report.traversal = { status: response.status, body: (await response.text()).slice(0, 80) };
// A download link is the engine's (a name not in the catalogue: 404 from it, not the renderer's files).
const download = await serve(new Request('holdfast://app/api/backup/backup-none.dump/download'));
report.download = { status: download.status, body: await download.json() };
// Electron's download manager asks where to save: main names the file in the downloads folder.
let saveOptions;
session.defaultSession.emit('will-download', {}, { getFilename: () => 'backup-x.dump', setSaveDialogOptions: (options) => (saveOptions = options) });
report.saveOptions = saveOptions;
const tray = recorded.trays[0];
report.tray = { icon: tray.image.split('/').pop(), tooltip: tray.tooltip, menu: tray.menu.template.map((item) => item.id ?? item.type) };
report.closeHides = window.close() && !window.visible;

app.quit();
await waitFor(() => recorded.quitCalls >= 2, 'the graceful quit to finish');
report.afterQuit = { ipcHandlers: recorded.ipcHandlers.size, trayDestroyed: tray.destroyed === true, closeAllowed: window.close() === false, errors: recorded.errors };
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
