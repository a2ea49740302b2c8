// Who the engine is working for. The CLI and the desktop app act as the OS user; `holdfast serve`
// runs each request's work inside runAs(<API user>), so the engine's own audit entries name the
// person behind the token even while several requests run at once.
import { AsyncLocalStorage } from 'node:async_hooks';
import { userInfo } from 'node:os';

const acting = new AsyncLocalStorage<string>();

export function runAs<T>(name: string, work: () => T): T {
  return acting.run(name, work);
}

/** The API user the current work runs for, if any. */
export function actingUser(): string | undefined {
  return acting.getStore();
}

/** Who did it, for the audit log: the API user for `holdfast serve`, else the OS user (CLI, desktop app). */
export function actorName(): string {
  const apiUser = actingUser();
  if (apiUser) return apiUser;
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}
