// An encrypted backup's FIFO, with real processes writing it and the real reading thread: what a
// writer puts in comes out whole, in order and hashed; the end comes once the writer is gone and this
// side let go, also when the writer never opened it (pg_dump failing before its --file); no byte of
// it is ever in a file; and the directories of a killed Holdfast go at the next start.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, lstatSync, openSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { letGo } from '../fsutil/lent-buffers.ts';
import { processDirPrefix } from '../process/liveness.ts';
import { openDumpPipe, readDumpPipe, removeStaleDumpPipes } from './dump-pipe.ts';

const linux = process.platform === 'linux';

/** Writes `bytes` to `path` from another process, in pieces of `piece` bytes with a pause between some. */
function writeFrom(path: string, bytes: Buffer, piece: number): Promise<number | null> {
  const source = `
    const { openSync, writeSync, closeSync, readFileSync } = require('node:fs');
    const data = readFileSync(process.argv[2]);
    const fd = openSync(process.argv[1], 'w');
    let at = 0;
    const next = () => {
      for (let n = 0; n < 8 && at < data.length; n += 1, at += ${piece}) writeSync(fd, data, at, Math.min(${piece}, data.length - at));
      if (at < data.length) setTimeout(next, 2); else closeSync(fd);
    };
    next();`;
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-pipe-source-'));
  writeFileSync(join(dir, 'bytes'), bytes);
  return new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', source, path, join(dir, 'bytes')], { stdio: 'ignore' }).once('close', resolve)).finally(() =>
    rmSync(dir, { recursive: true, force: true }),
  );
}

async function drain(read: ReturnType<typeof readDumpPipe>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of read.bytes as AsyncIterable<Buffer>) {
    chunks.push(Buffer.from(chunk));
    letGo(chunk);
  }
  return chunks;
}

test.runIf(linux)(
  'a FIFO in a private directory named for this process: what a writer puts in comes out whole, hashed, in full slots; the end once the writer exits and this side lets go',
  async () => {
    const pipe = (await openDumpPipe(15))!;
    try {
      expect(lstatSync(pipe.path).isFIFO()).toBe(true);
      expect(lstatSync(pipe.path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(pipe.path)).mode & 0o777).toBe(0o700);
      expect(basename(dirname(pipe.path)).startsWith(processDirPrefix('holdfast-pipe-'))).toBe(true);
      const bytes = randomBytes(900 * 1024 + 123);
      const read = readDumpPipe(pipe, 1);
      const written = writeFrom(pipe.path, bytes, 5000).then((code) => {
        pipe.closeWriter();
        return code;
      });
      const chunks = await drain(read);
      expect(await written).toBe(0);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      expect(await read.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      // The writer wrote 5 kB at a time; the thread handed over whole 256 kB slots, and the rest at the end.
      expect(chunks.map((chunk) => chunk.length)).toEqual([262144, 262144, 262144, bytes.length - 3 * 262144]);
    } finally {
      await pipe.remove();
    }
    expect(existsSync(dirname(pipe.path))).toBe(false);
  },
);

test.runIf(linux && spawnSync('perl', ['-v']).status === 0)('the FIFO holds 1 MiB, not 64 KiB: a writer puts 1,000,000 bytes in while nothing reads, and they all come out', async () => {
  const pipe = (await openDumpPipe(15))!;
  try {
    expect(await pipe.enlarged).toBe(1024 * 1024);
    // A second process asks the kernel the pipe's size (F_GETPIPE_SZ), not this side's word for it.
    const asked = spawnSync('perl', ['-e', 'open(my $f, "<", $ARGV[0]) or exit 3; print fcntl($f, 1032, 0)', pipe.path], { encoding: 'utf8' });
    expect(asked.stdout).toBe(String(1024 * 1024));
    // With 64 KiB, head would block on its write until someone read; here it writes all and exits.
    const fd = openSync(pipe.path, constants.O_WRONLY);
    const exited = await new Promise<number | null>((resolve) => spawn('head', ['-c', '1000000', '/dev/zero'], { stdio: ['ignore', fd, 'ignore'] }).once('close', resolve));
    closeSync(fd);
    expect(exited).toBe(0);
    const read = readDumpPipe(pipe, 1);
    pipe.closeWriter();
    const chunks = await drain(read);
    expect(Buffer.concat(chunks).equals(Buffer.alloc(1000000))).toBe(true);
  } finally {
    await pipe.remove();
  }
});

test.runIf(linux && spawnSync('perl', ['-v']).status === 0)('enlarging the FIFO never waits for a writer: with this side already let go before perl opens it, perl still answers at once', async () => {
  const pipe = (await openDumpPipe(15))!;
  // Before perl (started by openDumpPipe) has got to its open: no writer and no reader left.
  pipe.closeWriter();
  closeSync(pipe.takeReadEnd());
  try {
    expect(await pipe.enlarged).toBe(1024 * 1024);
  } finally {
    await pipe.remove();
  }
});

test.runIf(linux)('a writer that never opens the FIFO (pg_dump failing before its --file) leaves no read waiting: it ends, empty, once this side lets go', async () => {
  const pipe = (await openDumpPipe(15))!;
  try {
    const read = readDumpPipe(pipe, 1);
    setTimeout(() => pipe.closeWriter(), 50);
    expect(await drain(read)).toEqual([]);
    expect(await read.sha256).toBe(createHash('sha256').digest('hex'));
  } finally {
    await pipe.remove();
  }
});

test.runIf(linux)(
  'pg_dump done before the reading thread opened the FIFO (a --table matching nothing fails in milliseconds; a small dump fits the pipe buffer whole; the thread starts slower on a loaded machine): the read still ends, with every byte',
  async () => {
    const pipe = (await openDumpPipe(15))!;
    // The order the race ends in when pg_dump wins it: pg_dump wrote and exited, and the writer side let
    // go, before the thread's open.
    const small = randomBytes(20_000);
    const dumped = await writeFrom(pipe.path, small, 5000);
    pipe.closeWriter();
    const read = readDumpPipe(pipe, 1);
    const ended = Promise.all([drain(read), read.sha256]);
    const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 20_000).unref());
    const outcome = await Promise.race([ended, stuck]);
    if (outcome === 'stuck') {
      // Release the thread's open (it waits for a writer that never comes) so the run can end.
      closeSync(openSync(pipe.path, constants.O_WRONLY | constants.O_NONBLOCK));
      await ended.catch(() => undefined);
    }
    await pipe.remove();
    expect(outcome).toEqual([[small], createHash('sha256').update(small).digest('hex')]);
    expect(dumped).toBe(0);
  },
  30_000,
);

test('no FIFO for a pg_dump older than 10 (no --no-sync, which a FIFO needs) nor on Windows: the backup reads stdout', async () => {
  expect(await openDumpPipe(9)).toBeUndefined();
});

test.runIf(linux)("the next start removes a killed Holdfast's FIFO directories, and leaves a living one's", async () => {
  const mine = (await openDumpPipe(15))!;
  const exited = spawnSync(process.execPath, ['-e', '']).pid;
  const dead = join(tmpdir(), `holdfast-pipe-${exited}-0badc0de-abcdef`);
  try {
    mkdirSync(dead, { mode: 0o700 });
    spawnSync('mkfifo', [join(dead, 'pg_dump.out')]);
    expect(await removeStaleDumpPipes()).toContain(dead);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(mine.path)).toBe(true);
  } finally {
    await mine.remove();
    rmSync(dead, { recursive: true, force: true });
  }
});
