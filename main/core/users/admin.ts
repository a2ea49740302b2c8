// API users (holdfast serve) as the engine offers them: the store does the work, each change is told
// as an event (audited). A token is returned once and never part of an event.
import type { EventBus } from '../events/bus.ts';
import type { IssuedToken, Role, UserStore } from './users.ts';

export type UserEngine = { users: UserStore; events: Pick<EventBus, 'emit'> };

export function addUser(engine: UserEngine, name: string, role: Role): IssuedToken {
  const issued = engine.users.add(name, role);
  void engine.events.emit({ kind: 'user.added', name: issued.user.name, role });
  return issued;
}

export function removeUser(engine: UserEngine, name: string): { removed: string } {
  const result = engine.users.remove(name);
  void engine.events.emit({ kind: 'user.removed', name: result.removed });
  return result;
}

export function rotateUserToken(engine: UserEngine, name: string): IssuedToken {
  const issued = engine.users.rotate(name);
  void engine.events.emit({ kind: 'user.rotated', name: issued.user.name });
  return issued;
}
