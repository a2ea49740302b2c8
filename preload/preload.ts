// The sandboxed preload (bundled to dist/electron/preload.cjs): exposes window.holdfast and nothing
// else. It may only require 'electron'; the channel names come from main on the command line.
import { contextBridge, ipcRenderer } from 'electron';
import { channelsFromArgv } from './channels.ts';
import { createBridge } from './create-bridge.ts';

contextBridge.exposeInMainWorld(
  'holdfast',
  createBridge(ipcRenderer, channelsFromArgv(process.argv), () => crypto.randomUUID()),
);
