// Who the engine is working for. The CLI and the desktop app act as the OS user; `holdfast serve`
// runs each request's work inside runAs(<API user>), so the engine's own audit entries name the
// person behind the token even while several requests run at once.
import { AsyncLocalStorage } from 'node:async_hooks';

const acting = new AsyncLocalStorage<string>();

export function runAs<T>(name: string, work: () => T): T {
  return acting.run(name, work);
}

/** The API user the current work runs for, if any. */
export function actingUser(): string | undefined {
  return acting.getStore();
}
