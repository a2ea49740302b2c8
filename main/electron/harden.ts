// Imported first by main.ts, so the sandbox, the privileged holdfast:// scheme and the guards on every
// WebContents (navigation, window.open, webviews, permissions, CSP) exist before anything else runs
// and before any window can be created.
import { app, protocol, shell } from 'electron';
import { hardenApp } from './security.ts';

hardenApp(app, protocol, shell, (message) => process.stderr.write(`holdfast: security: ${message}\n`));
