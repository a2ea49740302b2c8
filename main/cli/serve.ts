// `holdfast serve`: prints the URL with its token and serves until SIGTERM/SIGINT.
import { loadConfig } from '../core/config.ts';
import { exitCodeFor, toErrorInfo } from '../core/errors.ts';
import { Holdfast } from '../core/holdfast.ts';
import { startServer } from '../serve/server.ts';
import type { Io } from './main.ts';

export async function runServe(io: Io, host: string, port: number | undefined): Promise<number> {
  let holdfast: Holdfast;
  try {
    holdfast = (await Holdfast.open(loadConfig())).holdfast;
  } catch (error) {
    const info = toErrorInfo(error);
    io.stderr(`holdfast serve: ${info.message}\n`);
    return exitCodeFor(info.code);
  }
  const server = await startServer(holdfast, { host, ...(port === undefined ? {} : { port }) });
  io.stdout(`Holdfast UI: ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await server.close();
  holdfast.close();
  return 0;
}
