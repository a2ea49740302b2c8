// A real Azure Blob service for the offsite suites: Microsoft's azurite emulator (blob only) on
// loopback, a free port, a throwaway workspace, started and stopped by the suite. Its one account
// has a key made up here (AZURITE_ACCOUNTS), unlike anything else a suite writes, so a leak check can
// find it; azurite checks the shared-key signatures, so a wrong key is refused as Azure would.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { projectRoot } from './holdfast-env.ts';

export const AZURE_ACCOUNT = 'holdfastacct';

export interface AzureServer {
  connectionString: string;
  /** A SAS URL for the container alone (read, add, create, write, delete, list), valid for a day. */
  containerSasUrl(): Promise<string>;
  container: string;
  accountKey: string;
  /** SIGKILL, mid-request if one is in flight: the service gone without a word; its stored blobs stay. */
  kill(): Promise<void>;
  /** Starts it again on the same port and workspace (after kill). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startAzurite(container = 'holdfast-test'): Promise<AzureServer> {
  const location = mkdtempSync(join(tmpdir(), 'holdfast-azurite-'));
  const accountKey = randomBytes(64).toString('base64');
  const port = await freePort();
  // Spawned again by start() on the same port and workspace, after kill().
  const launch = async (): Promise<ChildProcess> => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        join(projectRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        location,
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
      ],
      { env: { PATH: process.env.PATH ?? '', AZURITE_ACCOUNTS: `${AZURE_ACCOUNT}:${accountKey}` }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`azurite did not start: ${output}`)), 30_000);
      const seen = (chunk: Buffer) => {
        output += chunk.toString();
        if (/successfully listens/i.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', seen);
      child.stderr?.on('data', seen);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited (${code}): ${output}`));
      });
    });
    return child;
  };
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  let child = await launch();
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURE_ACCOUNT};AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:${port}/${AZURE_ACCOUNT};`;
  const containerClient = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  await containerClient.createIfNotExists();
  return {
    connectionString,
    container,
    accountKey,
    containerSasUrl: () => containerClient.generateSasUrl({ permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 86_400_000) }),
    async kill() {
      await end('SIGKILL');
    },
    async start() {
      child = await launch();
    },
    async stop() {
      await end('SIGTERM');
      rmSync(location, { recursive: true, force: true });
    },
  };
}
