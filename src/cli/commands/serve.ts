import type { Command } from 'commander';
import { invalidInput } from '../../app/light.ts';
import { info } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('run the Paddock daemon in the foreground (API on TCP and on $PADDOCK_HOME/paddock.sock)')
    .description(
      'Run the daemon in the foreground: it supervises every run, hosts their model relays, and serves the REST + SSE\n' +
        "API (Paddock's own under /api/v1, Stromboli-compatible at the root; OpenAPI at /openapi.json, docs at /docs)\n" +
        'on TCP and on the unix socket $PADDOCK_HOME/paddock.sock (mode 0600) that the CLI uses. Other paddock commands\n' +
        'start a daemon in the background when none answers. SIGTERM or Ctrl-C drains: the daemon lets go of its runs\n' +
        '(their containers run on) and exits; the next daemon adopts them. Logs are JSON lines on stdout.',
    )
    .option('--host <address>', 'TCP address to listen on (a non-loopback one needs authentication on)', '127.0.0.1')
    .option('--port <n>', 'TCP port', '8080')
    .option('--no-tcp', 'listen on the unix socket only')
    .addHelpText('after', '\nExamples:\n  paddock serve                      # 127.0.0.1:8080 and $PADDOCK_HOME/paddock.sock\n  paddock serve --port 8585\n  curl -s localhost:8080/health')
    .action(async (o: { host: string; port: string; tcp: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidInput(`--port ${o.port}: expected a port number (0-65535)`);
      // A signal that comes while the daemon is still starting stops it as soon as it can be stopped.
      // The listeners stay for the whole drain: a library that hooks signals (signal-exit, under proper-lockfile)
      // re-raises the signal, killing the process mid-drain, once it finds itself the only listener. A second
      // signal while draining forces the exit.
      let stopWanted = false;
      let stop: (() => void) | undefined;
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(130);
        if (stop) stop();
        else stopWanted = true;
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      const { startDaemon } = await import('../../daemon/index.ts');
      const d = await startDaemon({ tcp: o.tcp ? { host: o.host, port } : null });
      stop = () => void d.stop();
      info(`paddock daemon: ${d.tcp ? `http://${d.tcp} and ` : ''}${d.socket}`);
      if (stopWanted) stop();
      await d.stopped;
    });
}
