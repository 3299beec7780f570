/** `paddock ports <id>`: a live run's listening ports and their preview URLs (mapping only). */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

export function registerPorts(program: Command): void {
  const cmd = program
    .command('ports')
    .summary("a live run's listening ports (its dev servers, its services), each with a preview URL on this machine")
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await call<{ runId: string; ports: { port: number; address: string; url: string }[] }>('GET', `/api/v1/runs/${encodeURIComponent(id)}/ports`);
      if (o.json) return printJson(r);
      if (r.ports.length === 0) return info(`nothing listens in run ${r.runId} yet`);
      out(table([['PORT', 'LISTENS ON', 'PREVIEW'], ...r.ports.map((x) => [String(x.port), x.address, x.url])]));
    });
  withExamples(cmd, ['paddock ports 3f2a9c81d0e4', 'curl "$(paddock ports 3f2a --json | jq -r \'.ports[0].url\')"']);
}
