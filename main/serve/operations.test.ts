// The registry of operations running in `holdfast serve`, over a stand-in host whose calls run until
// the test ends them: what runs detached, what a late page is replayed, who may cancel, how long a
// finished one is kept, and what stopping the server does.
import { describe, expect, test } from 'vitest';
import type { CallContext, Envelope, ProgressEvent } from '../contract.ts';
import { channelChangesState, OWNER, type Principal } from './auth.ts';
import { DETACHED_CHANNELS, detachedCall, Operations, SERVER_STOPPING, type OperationHost } from './operations.ts';

const admin: Principal = { name: 'alice', role: 'admin', kind: 'user' };

/** A host whose calls run until finished by hand or cancelled through their signal. */
function standIn() {
  const calls: Array<{ channel: string; actor: string; context: CallContext; finish(result: Envelope<unknown>): void }> = [];
  const audited: Array<Parameters<OperationHost['audit']>> = [];
  const host: OperationHost = {
    run: (channel, _raw, actor, context) =>
      new Promise((resolve) => {
        calls.push({ channel, actor, context, finish: resolve });
        context.signal?.addEventListener('abort', () => resolve({ ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } }));
      }),
    audit: (...entry) => audited.push(entry),
  };
  return { host, calls, audited };
}

const backupOf = (profile: string) => detachedCall('backup.create', { profile, options: {} })!;
const restore = detachedCall('backup.restore', { ref: 'b1', to: 'shop', create: true })!;
const dumping = (bytes: number): ProgressEvent => ({ operation: 'backup', progress: { phase: 'dumping', bytes, elapsedMs: bytes, expectedBytes: undefined } });

describe('which calls run detached', () => {
  test('backups, verifies, drills and restores do; a restore dry run, reads and input the contract refuses do not', () => {
    expect(detachedCall('backup.create', { profile: 'shop', options: {} })).toMatchObject({ channel: 'backup.create', input: { profile: 'shop' } });
    expect(detachedCall('backup.verify', { ref: 'b1' })).toMatchObject({ channel: 'backup.verify' });
    expect(detachedCall('backup.testRestore', { ref: 'b1' })).toMatchObject({ channel: 'backup.testRestore' });
    expect(detachedCall('backup.restore', { ref: 'b1', to: 'shop' })).toMatchObject({ channel: 'backup.restore' });
    expect(detachedCall('backup.restore', { ref: 'b1', to: 'shop', dryRun: true })).toBeUndefined();
    // A set's restore preview (the app's set restore dialog) only reads too.
    expect(detachedCall('restore.start', { ref: 'abcdefabcdef', to: 'shop', only: ['crm'], create: true, dryRun: true })).toBeUndefined();
    expect(detachedCall('backup.list', {})).toBeUndefined();
    expect(detachedCall('backup.create', { profile: 'shop', options: { suffix: '../x' } })).toBeUndefined();
  });

  test('every detached channel changes state (a read would be cancelled with its request instead)', () => {
    for (const channel of DETACHED_CHANNELS) expect(channelChangesState(channel), channel).toBe(true);
  });
});

describe('Operations', () => {
  test('runs the call as whoever started it, with a signal of its own; a page attaching late gets each step so far, then what comes, then the result', async () => {
    const { host, calls } = standIn();
    const operations = new Operations(host, { events: 3 });
    const started = operations.start(backupOf('shop'), admin);
    expect(started).toMatchObject({ channel: 'backup.create', input: { profile: 'shop' }, startedBy: 'alice', state: 'running', progress: null, cancelledBy: null });
    const [call] = calls;
    expect(call).toMatchObject({ channel: 'backup.create', actor: 'alice' });
    call!.context.onProgress?.({ operation: 'backup', progress: { phase: 'connecting', bytes: 0, elapsedMs: 0, expectedBytes: undefined } });
    // Bytes within a phase replace each other: a long dump keeps one step, not one per half second.
    for (let bytes = 1; bytes <= 500; bytes += 1) call!.context.onProgress?.(dumping(bytes));
    call!.context.onProgress?.({ operation: 'backup', progress: { phase: 'checking', bytes: 500, elapsedMs: 600, expectedBytes: undefined } });
    call!.context.onProgress?.({ operation: 'backup', progress: { phase: 'counting', bytes: 500, elapsedMs: 700, expectedBytes: undefined } });

    const seen: unknown[] = [];
    const detach = operations.attach(started.id, { progress: (event) => seen.push(event.operation === 'backup' && event.progress.phase), result: (result) => seen.push(result) });
    // At most `events` steps are kept: the oldest (connecting) went.
    expect(seen).toEqual(['dumping', 'checking', 'counting']);
    call!.context.onProgress?.({ operation: 'backup', progress: { phase: 'done', bytes: 500, elapsedMs: 800, expectedBytes: undefined } });
    call!.finish({ ok: true, value: 'the backup' });
    expect(await operations.finished(started.id)).toEqual({ ok: true, value: 'the backup' });
    expect(seen.slice(3)).toEqual(['done', { ok: true, value: 'the backup' }]);
    detach();
    expect(operations.find(started.id, admin)).toMatchObject({ state: 'finished', progress: { progress: { phase: 'done' } } });
  });

  test('only an explicit cancel ends it, by someone holding the role starting it needed; audited with who asked, once', async () => {
    const { host, audited } = standIn();
    const operations = new Operations(host);
    const restoring = operations.start(restore, OWNER);
    const backingUp = operations.start(backupOf('shop'), OWNER);
    // A restore is a super-admin's: an admin neither sees it nor may cancel it.
    expect(operations.list(admin).map((o) => o.id)).toEqual([backingUp.id]);
    expect(operations.list(OWNER).map((o) => o.id)).toEqual([restoring.id, backingUp.id]);
    expect(operations.list(admin, { mine: true })).toEqual([]);
    expect(operations.find(restoring.id, admin)).toBeUndefined();
    expect(operations.cancel(restoring.id, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('needs a super-admin') } });
    expect(operations.cancel('nope', admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    expect(operations.cancel(backingUp.id, admin)).toMatchObject({ ok: true, value: { id: backingUp.id, cancelledBy: 'alice' } });
    expect(operations.cancel(backingUp.id, OWNER)).toMatchObject({ ok: true, value: { cancelledBy: 'alice' } });
    expect(await operations.finished(backingUp.id)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(operations.cancel(backingUp.id, admin)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(audited).toEqual([['alice', 'operation.cancel', 'shop', { operation: backingUp.id, channel: 'backup.create', startedBy: 'owner' }]]);
    expect(operations.find(restoring.id, OWNER)).toMatchObject({ state: 'running' });
  });

  test('a finished operation is kept for a while and within a number, then forgotten', async () => {
    const { host, calls } = standIn();
    let now = 0;
    const operations = new Operations(host, { finished: 2, finishedForMs: 1000 }, () => now);
    const ids = ['a', 'b', 'c'].map((profile) => operations.start(backupOf(profile), admin).id);
    const running = operations.start(backupOf('d'), admin).id;
    for (const call of calls.slice(0, 3)) call.finish({ ok: true, value: null });
    await Promise.all(ids.map((id) => operations.finished(id)));
    expect(operations.list(admin).map((o) => o.id)).toEqual([ids[1], ids[2], running]);
    now = 1001;
    expect(operations.list(admin).map((o) => o.id)).toEqual([running]);
  });

  test('stopping the server cancels what runs and waits for it to end, audited as the server', async () => {
    const { host, audited } = standIn();
    const operations = new Operations(host);
    const started = operations.start(backupOf('shop'), admin);
    await operations.stop();
    expect(operations.find(started.id, admin)).toMatchObject({ state: 'finished', cancelledBy: SERVER_STOPPING });
    expect(audited).toEqual([[SERVER_STOPPING, 'operation.cancel', 'shop', expect.objectContaining({ operation: started.id, startedBy: 'alice' })]]);
  });

  test('a call not detached runs with the signal it is given (the request going away cancels it)', async () => {
    const { host, calls } = standIn();
    const operations = new Operations(host);
    const request = new AbortController();
    const listed = operations.call('backup.list', {}, admin, request.signal);
    expect(calls[0]).toMatchObject({ channel: 'backup.list', actor: 'alice' });
    request.abort();
    expect(await listed).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(operations.list(admin)).toEqual([]);
    // A detached one ignores its request's signal.
    const backup = operations.call('backup.create', { profile: 'shop', options: {} }, admin, request.signal);
    expect(operations.list(admin)).toEqual([expect.objectContaining({ channel: 'backup.create', state: 'running' })]);
    calls[1]!.finish({ ok: true, value: 'kept' });
    expect(await backup).toEqual({ ok: true, value: 'kept' });
  });
});
