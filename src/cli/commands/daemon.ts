import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, formatBytes, formatDuration, isPaddockError } from '../../app/light.ts';
import { call, daemonLogPath, target } from '../client.ts';
import { info, out } from '../context.ts';
import { paint, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

interface DaemonStatus {
  pid: number;
  version: string;
  startedAt: number;
  uptimeMs: number;
  socket: string;
  tcp: string | null;
  home: string;
  supervising: string[];
  queued: number;
  maxRunning: number;
  rssBytes: number;
}

export function registerDaemon(program: Command): void {
  const daemon = program
    .command('daemon')
    .summary('the background daemon: status, stop, restart, logs')
    .description(
      'Every paddock command talks to one daemon per PADDOCK_HOME (or to PADDOCK_URL), which supervises the runs.\n' +
        'Commands start it in the background when none answers, logging to $PADDOCK_HOME/logs/daemon.log. Stopping\n' +
        'it never stops runs: their containers go on, and the next daemon adopts them. The daemon reads settings\n' +
        '(PADDOCK_*, credentials) when it starts: restart it after changing them.',
    );
  withExamples(daemon, ['paddock daemon status', 'paddock daemon restart     # after changing settings', 'paddock daemon logs -n 50']);

  daemon
    .command('status')
    .summary('whether the daemon runs, and what it supervises')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      let s: DaemonStatus;
      try {
        s = await call<DaemonStatus>('GET', '/api/v1/daemon', undefined, { start: false });
      } catch (e) {
        if (isPaddockError(e) && e.code === ErrorCode.DaemonUnavailable) {
          if (o.json) printJson({ running: false });
          else info(e.message);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
      if (o.json) return printJson({ running: true, ...s });
      out(
        table(
          [
            ['daemon', `${paint('green', 'running')} · pid ${s.pid} · ${s.version} · up ${formatDuration(s.uptimeMs)} · ${formatBytes(s.rssBytes)} RSS`],
            ['listening', `${s.socket}${s.tcp ? ` and http://${s.tcp}` : ''}`],
            ['home', s.home],
            ['runs', `${s.supervising.length} supervised · ${s.queued} queued · at most ${s.maxRunning} at once`],
          ].map(([k, v]) => [paint('bold', k!), v!]),
        ),
      );
    });

  daemon
    .command('stop')
    .summary('stop the daemon (runs go on; the next command starts a new one, which adopts them)')
    .action(async () => {
      const before = await call<DaemonStatus>('GET', '/api/v1/daemon', undefined, { start: false }).catch(() => undefined);
      if (!before) return info('no daemon runs');
      await call('POST', '/api/v1/daemon/stop', undefined, { start: false });
      await waitGone(before.pid);
      info(`stopped the daemon (pid ${before.pid}); runs go on`);
    });

  daemon
    .command('restart')
    .summary('stop the daemon and start a new one (with the settings of this shell)')
    .action(async () => {
      const before = await call<DaemonStatus>('GET', '/api/v1/daemon', undefined, { start: false }).catch(() => undefined);
      if (before) {
        await call('POST', '/api/v1/daemon/stop', undefined, { start: false });
        await waitGone(before.pid);
      }
      const after = await call<DaemonStatus>('GET', '/api/v1/daemon');
      info(`daemon running: pid ${after.pid}${before ? ` (was ${before.pid})` : ''}`);
    });

  daemon
    .command('logs')
    .summary("the daemon's log (JSON lines)")
    .option('-n, --lines <n>', 'only the last n lines', '100')
    .action((o: { lines: string }) => {
      const t = target();
      if (t.kind === 'url') return info(`the daemon at ${t.url.origin} keeps its own log`);
      let text = '';
      try {
        text = readFileSync(daemonLogPath(t.home), 'utf8');
      } catch {
        return info(`no log yet (${daemonLogPath(t.home)})`);
      }
      const lines = text.trimEnd().split('\n');
      out(lines.slice(-Math.max(1, Number(o.lines) || 100)).join('\n'));
    });
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
