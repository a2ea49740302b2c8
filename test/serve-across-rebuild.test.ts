// A `holdfast serve` or `holdfast daemon` runs for weeks; an upgrade rebuilds the CLI bundle under it,
// and the build removes the previous build's chunks (build/bundle-cli.mjs). Code a one-shot command
// loads on first use (core/process/first-use.ts: the on-demand operations, the S3, Azure and SFTP media,
// nodemailer, age, serve's metrics) must not be first loaded by such a process after that: a verify
// asked of a serve started before the rebuild failed with "Cannot find module …/on-demand-….mjs … This
// is a bug", and so did an S3 destination's test, a test email, a new key and a metrics scrape.
// Run against the built bundle (npm run build), copied as an installed Holdfast would be.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, expect, test } from 'vitest';
import { buildArchive, copyData, ENCODING } from '../main/core/archive/test-support.ts';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, projectRoot } from './support/holdfast-env.ts';
import { removeS3Server, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, startS3Server, type S3Server } from './support/s3-server.ts';

const installed = mkdtempSync(join(tmpdir(), 'holdfast-installed-'));
const home = makeHome({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'a-test-key-of-enough-bytes' });
let serve: ChildProcess | undefined;
let s3: S3Server | undefined;
let smtp: SMTPServer | undefined;

afterAll(async () => {
  serve?.kill('SIGKILL');
  if (s3) await removeS3Server(s3);
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  home.cleanup();
  rmSync(installed, { recursive: true, force: true });
});

/** An SMTP server that takes any mail without a login: counts what arrived. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; received: () => number }> {
  let mails = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        mails += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, received: () => mails };
}

/** The CLI as installed: its bin, its bundle and its dependencies, no sources (so the bundle runs). */
function install(): string {
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(projectRoot, part), join(installed, part), { recursive: true });
  mkdirSync(join(installed, 'main'));
  symlinkSync(join(projectRoot, 'node_modules'), join(installed, 'node_modules'));
  return join(installed, 'dist', 'cli-chunks');
}

test('a serve started before a rebuild still verifies, tests an S3 destination, sends a test email, makes a key and answers /metrics once the build removed every chunk', async () => {
  const chunks = install();
  const onDemand = readdirSync(chunks).filter((name) => /^on-demand-.*\.mjs$/.test(name));
  expect(onDemand, 'dist/ holds no on-demand chunk: run npm run build first').toHaveLength(1);

  const holdfast = await home.open();
  const { token } = holdfast.addUser('alice', 'super-admin');
  await holdfast.addProfile({ name: 'shop', host: '127.0.0.1', port: 1, user: 'postgres', dbname: 'shop' });
  const dump = join(installed, 'shop.dump');
  const data = deflateSync(copyData(['a', 'b']));
  writeFileSync(
    dump,
    buildArchive({
      format: 'custom',
      compression: 1,
      items: [
        ENCODING,
        { dumpId: 10, desc: 'TABLE', tag: 't', namespace: 'public' },
        { dumpId: 11, desc: 'TABLE DATA', tag: 't', namespace: 'public', copyStmt: 'COPY public.t (v) FROM stdin;\n', chunks: [data] },
      ],
    }),
  );
  const imported = await holdfast.importDump({ file: dump, profile: 'shop' });
  s3 = await startS3Server();
  const bucket = { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, pathStyle: true, prefix: 'rebuild', accessKeyId: S3_ACCESS_KEY_ID };
  await holdfast.offsite.destinations.add({ name: 'bucket', spec: { type: 's3', settings: bucket }, secretAccessKey: S3_SECRET_ACCESS_KEY });
  const mail = await startSmtp();
  smtp = mail.server;
  const email = { host: '127.0.0.1', port: mail.port, security: 'none' as const, from: 'holdfast@example.com', to: ['dba@example.com'] };
  await holdfast.notifyChannels.add({ kind: 'email', name: 'dba', events: 'failures', email });
  holdfast.close();

  serve = spawn(process.execPath, [join(installed, 'bin', 'holdfast.mjs'), 'serve', '--no-schedules'], { env: cleanEnv(home.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  serve.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Serve says when it has loaded (or could not load) what it would otherwise load on first use.
  const loaded = new Promise<void>((resolve) => serve!.stderr!.on('data', () => /(loaded|could not load) the code it/.test(stderr) && resolve()));
  const url = await new Promise<URL>((resolve, reject) => {
    serve!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /Holdfast UI: (\S+)/.exec(stdout);
      if (found) resolve(new URL(found[1]!));
    });
    serve!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const api = (path: string, method = 'GET') => fetch(new URL(path, url.origin), { method, headers: { authorization: `Bearer ${token}` } });
  const rpc = async (channel: string, input: object) => {
    const answer = await fetch(new URL(`/api/rpc/${channel}`, url.origin), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return (await answer.json()) as { ok: boolean; error?: { message: string } };
  };
  // Its first answer starts its chores; the rebuild comes after that, as an upgrade days later would:
  // one whose every chunk changed, so none of this build's is left.
  expect((await api('/api/backup/list')).status).toBe(200);
  await loaded;
  expect(stderr).not.toContain('could not load');
  for (const name of readdirSync(chunks)) rmSync(join(chunks, name));
  expect(existsSync(join(chunks, onDemand[0]!))).toBe(false);

  const verified = (await (await api(`/api/backup/${imported.filename}/verify`, 'POST')).json()) as { success: boolean; error?: { message: string } };
  expect(verified.error?.message).toBeUndefined();
  expect(verified.success).toBe(true);
  const tested = await rpc('destination.test', { name: 'bucket' });
  expect.soft(tested.error?.message).toBeUndefined();
  const mailed = await rpc('notify.test', { name: 'dba' });
  expect.soft(mailed.error?.message).toBeUndefined();
  expect.soft(mail.received()).toBe(1);
  const key = await rpc('key.generate', { name: 'after-rebuild' });
  expect.soft(key.error?.message).toBeUndefined();
  const metrics = await api('/metrics');
  expect.soft(metrics.status, await metrics.clone().text()).toBe(200);
  expect.soft(await metrics.text()).toContain('holdfast_');
}, 60_000);
