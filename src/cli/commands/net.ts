import type { Command } from 'commander';
import type { RunNetworkView } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { clock, humanBytes, paint, safe, shorten, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

export function registerNet(program: Command): void {
  const net = program
    .command('net')
    .summary("show a run's network: its mode, allow rules and every connection attempt")
    .description(
      "Show a run's network log: every connection its egress proxy saw, oldest first, with the time, host and port,\n" +
        'CONNECT (a TLS tunnel, never opened) or the HTTP method, allowed or denied and by which rule or why, the\n' +
        'address dialled, bytes up and down, and how long it lasted. Allowed connections appear when they end. Past\n' +
        'PADDOCK_EGRESS_LOG_MAX attempts per run only the counters move. A run with network none has no proxy at all;\n' +
        'one with network open is not logged.',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--denied', 'only denied attempts')
    .option('--json', 'the whole log as JSON (runId, mode, allow, summary, attempts)')
    .action(async (id: string, o: { json?: boolean; denied?: boolean }) => {
      const n = await call<RunNetworkView>('GET', `/api/v1/runs/${encodeURIComponent(id)}/network`);
      const attempts = o.denied ? n.attempts.filter((a) => !a.allowed) : n.attempts;
      if (o.json) return printJson({ ...n, attempts });
      const s = n.summary;
      out(
        `run ${n.runId} · network ${n.mode}${n.mode === 'proxy' ? ` · ${s.attempts} attempt(s): ${s.allowed} allowed, ${s.denied} denied · ${humanBytes(s.bytesUp)} up, ${humanBytes(s.bytesDown)} down` : ''}`,
      );
      if (n.mode === 'proxy') out(paint('dim', `allow: ${n.allow.length ? n.allow.join(', ') : '(nothing: every attempt is denied)'}`));
      if (s.dropped) out(paint('yellow', `${s.dropped} attempt(s) past the log's cap are counted above but not listed`));
      if (n.mode !== 'proxy') return info(n.mode === 'none' ? 'no egress proxy: this run has no network at all' : 'network open: a bridge network, not logged');
      if (attempts.length === 0) return info(o.denied ? 'no denied attempts' : 'no attempts yet');
      const rows = [['time', 'verdict', 'method', 'host:port', 'address', 'up', 'down', 'took', 'rule / reason'].map((h) => paint('bold', h))];
      for (const a of attempts) {
        rows.push([
          clock(a.ts),
          a.allowed ? paint('green', 'allowed') : paint('red', 'denied'),
          a.method,
          shorten(safe(`${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`), 60),
          a.address ?? '-',
          humanBytes(a.bytesUp),
          humanBytes(a.bytesDown),
          `${a.durationMs} ms`,
          shorten(safe([a.rule ? `rule ${a.rule}` : '', a.reason ?? ''].filter(Boolean).join(': ') || '-'), 100),
        ]);
      }
      out(table(rows));
    });
  withExamples(net, [
    'paddock net 3f2a                 # what the run reached, and what it was refused',
    'paddock net 3f2a --denied',
    "paddock net 3f2a --json | jq '.attempts[] | select(.allowed == false) | .host'",
  ]);
}
