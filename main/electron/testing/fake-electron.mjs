// A stand-in for the 'electron' module, for running the bundled main process (dist/electron/main.mjs)
// under plain Node in a spec: the Electron binary cannot be downloaded here. It records what main does
// and lets the driver play the parts of the renderer and the OS. Never shipped.
import { EventEmitter } from 'node:events';

export const recorded = {
  sandboxEnabled: false,
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  windows: [],
  ipcHandlers: new Map(),
  ipcListeners: new Map(),
  trays: [],
  quitCalls: 0,
  exitCode: undefined,
  errors: [],
  webContentsCreated: 0,
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  #ready = false;
  #readyPromise = new Promise((resolve) =>
    setTimeout(() => {
      this.#ready = true;
      this.emit('ready');
      resolve();
    }, 10),
  );
  whenReady() {
    return this.#readyPromise;
  }
  isReady() {
    return this.#ready;
  }
  enableSandbox() {
    recorded.sandboxEnabled = true;
  }
  requestSingleInstanceLock() {
    return true;
  }
  getAppPath() {
    return process.cwd();
  }
  getPath(name) {
    return `/fake/${name}`;
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings() {}
  setAppUserModelId() {}
  quit() {
    recorded.quitCalls += 1;
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.emit('quit');
  }
  exit(code) {
    recorded.exitCode = code;
    this.emit('quit');
  }
}
export const app = new FakeApp();

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme, handler) {
    recorded.protocolHandlers.set(scheme, handler);
  },
};

export const shell = { openExternal: async () => {} };

class FakeSession extends EventEmitter {
  permissionRequestHandler = null;
  permissionCheckHandler = null;
  webRequest = {
    onHeadersReceived: (listener) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler) {
    this.permissionCheckHandler = handler;
  }
}
const defaultSession = new FakeSession();
export const session = { defaultSession };

class FakeWebContents extends EventEmitter {
  session = defaultSession;
  id = 1;
  sent = [];
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  send(channel, ...args) {
    this.sent.push([channel, ...args]);
  }
  isDestroyed() {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    recorded.webContentsCreated += 1;
    // As in Electron: the app hears about the WebContents before the window loads anything.
    app.emit('web-contents-created', {}, this.webContents);
    recorded.windows.push(this);
    this.visible = false;
  }
  async loadURL(url) {
    this.loadedUrl = url;
    setTimeout(() => this.emit('ready-to-show'), 5);
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return false;
  }
  close() {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    return event.defaultPrevented;
  }
}

export const ipcMain = {
  handle(channel, handler) {
    recorded.ipcHandlers.set(channel, handler);
  },
  removeHandler(channel) {
    recorded.ipcHandlers.delete(channel);
  },
  on(channel, listener) {
    recorded.ipcListeners.set(channel, listener);
  },
  removeListener(channel) {
    recorded.ipcListeners.delete(channel);
  },
};

export const Menu = { buildFromTemplate: (template) => ({ template }) };

export class Tray {
  constructor(image) {
    this.image = image;
    this.menu = null;
    this.tooltip = '';
    recorded.trays.push(this);
  }
  setImage(image) {
    this.image = image;
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  on() {}
  destroy() {
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {}
}

export const powerMonitor = new EventEmitter();

export const dialog = { showErrorBox: (title, body) => recorded.errors.push({ title, body }) };

export default { app, protocol, session, shell, BrowserWindow, ipcMain, Menu, Tray, Notification, powerMonitor, dialog };
