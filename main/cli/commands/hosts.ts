// `holdfast daemon` and `holdfast serve`: the long-running hosts. Their code (../daemon.ts,
// ../serve.ts) is loaded only for these commands: the HTTP host and its dependencies are most of the
// bundle, and every other command would pay for parsing them at start (about 0.2 s of a backup's CPU).
import type { Command } from 'commander';
import { integer, type CommandContext } from '../runner.ts';
import type { ServeFlags } from '../serve.ts';

export function daemonCommand(program: Command, { io, setExitCode }: CommandContext): void {
  program
    .command('daemon')
    .description('Run the scheduler headless until SIGTERM/SIGINT (for servers; see the README for a systemd unit)')
    .option('--grace <seconds>', 'on shutdown, how long a running backup may take to finish', integer('--grace'), 300)
    .action(async (options: { grace: number }) => {
      const { runDaemon } = await import('../daemon.ts');
      setExitCode(await runDaemon(io, options.grace * 1000));
    });
}

export function serveCommand(program: Command, { io, setExitCode }: CommandContext): void {
  program
    .command('serve')
    .description('Serve the UI, the REST API and the contract over HTTP with a token; prints the URL')
    .option('--host <address>', 'address to bind; beyond loopback only with --tls-cert/--tls-key or --insecure', '127.0.0.1')
    .option('--port <port>', 'port (default: a free one)', integer('--port'))
    .option('--tls-cert <file>', 'PEM certificate: serve https')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--insecure', 'allow a non-loopback --host without TLS (something else protects the connection)')
    .option('--public-health', 'GET /api/backup/health answers without a token (the verdict only), for monitors')
    .option('--no-schedules', 'run no schedules here (the desktop app or holdfast daemon runs them)')
    .action(async (options: ServeFlags) => {
      const { runServe } = await import('../serve.ts');
      setExitCode(await runServe(io, options));
    });
}
