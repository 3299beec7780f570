/** doctor: checks the machine; every failure comes with its fix. */
import { execFile } from 'node:child_process';
import { accessSync, constants, statfsSync } from 'node:fs';
import { promisify } from 'node:util';
import { isPaddockError } from '../errors/index.ts';
import { probeUpstream } from '../gateway/index.ts';
import type { Paddock } from './context.ts';
import { credentialStatus, modelCredential } from './credentials.ts';
import { toolboxCheck } from './toolbox.ts';
import { vendorEndpointChecks } from './vendor-doctor.ts';

const run = promisify(execFile);

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export async function doctor(p: Paddock): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const cfg = p.config;

  const major = Number(process.versions.node.split('.')[0]);
  add(
    major >= 24
      ? { name: 'node', status: 'ok', detail: `v${process.versions.node}` }
      : { name: 'node', status: 'fail', detail: `v${process.versions.node}`, fix: 'Paddock needs Node 24: run `npm run up`' },
  );

  try {
    const { stdout } = await run('git', ['--version']);
    const [maj = 0, min = 0] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    add(
      maj > 2 || (maj === 2 && min >= 38)
        ? { name: 'git', status: 'ok', detail: stdout.trim() }
        : { name: 'git', status: 'fail', detail: stdout.trim(), fix: 'install git 2.38 or newer (merge uses `git merge-tree --write-tree`)' },
    );
  } catch {
    add({ name: 'git', status: 'fail', detail: 'git not found', fix: 'install git (apt-get install git)' });
  }

  let engineOk = false;
  try {
    const rt = await p.runtime();
    engineOk = true;
    add({ name: 'engine', status: 'ok', detail: `${rt.info.kind} ${rt.info.version} (API ${rt.info.apiVersion}) at ${rt.info.socketPath}${rt.info.rootless ? ', rootless' : ''}` });
    for (const [name, ref, fix] of [
      ['agent image', cfg.image, 'run `paddock image build` (npm run up does)'],
      ['base image', cfg.baseImage, 'run `paddock image build`: it bootstraps the base with mmdebstrap'],
    ] as const) {
      const present = await rt.imageExists(ref);
      add(present ? { name, status: 'ok', detail: ref } : { name, status: name === 'agent image' ? 'fail' : 'warn', detail: `${ref} is missing`, fix });
    }
  } catch (e) {
    add({
      name: 'engine',
      status: 'fail',
      detail: isPaddockError(e) ? e.message : String(e),
      fix: isPaddockError(e) && e.hint ? e.hint : 'run `npm run up`, or point DOCKER_HOST at a Docker or Podman API socket',
    });
  }
  if (!engineOk) add({ name: 'agent image', status: 'warn', detail: 'not checked: no engine' });
  add({ name: 'toolbox', ...toolboxCheck(p) });

  try {
    accessSync(cfg.home, constants.W_OK);
    const fs = statfsSync(cfg.home);
    const freeGiB = (fs.bavail * fs.bsize) / 1024 ** 3;
    add(
      freeGiB >= 2
        ? { name: 'disk', status: 'ok', detail: `${freeGiB.toFixed(1)} GiB free in ${cfg.home}` }
        : { name: 'disk', status: 'warn', detail: `only ${freeGiB.toFixed(2)} GiB free in ${cfg.home}`, fix: 'free some space, or run `paddock gc`' },
    );
  } catch (e) {
    add({ name: 'disk', status: 'fail', detail: `${cfg.home} is not writable: ${(e as Error).message}`, fix: 'set PADDOCK_HOME to a writable directory' });
  }

  const loopback = /^(localhost|127\.|\[::1\])/.test(new URL(cfg.anthropicBaseUrl).host);
  const imported = credentialStatus(cfg);
  const haveCredential = Boolean(cfg.anthropicApiKey || cfg.claudeOauthToken) || imported.source === 'imported';
  if (cfg.anthropicApiKey || cfg.claudeOauthToken) {
    add({ name: 'credentials', status: 'ok', detail: `${cfg.anthropicApiKey ? 'API key' : 'OAuth token'} on the host (agents get a per-run token, never this)` });
  } else if (imported.source === 'imported') {
    const expired = imported.expiresAt !== undefined && imported.expiresAt < Date.now() && !imported.refreshable;
    add({
      name: 'credentials',
      status: expired ? 'fail' : 'ok',
      detail: `a Claude Code login imported with \`paddock auth import\`${imported.expiresAt ? ` (access token expires ${new Date(imported.expiresAt).toISOString()}${imported.refreshable ? ', refreshed before then' : ''})` : ''}`,
      ...(expired ? { fix: 'log in with Claude Code again, then `paddock auth import`' } : {}),
    });
  } else {
    add({
      name: 'credentials',
      status: loopback ? 'ok' : 'warn',
      detail: loopback ? `none needed: model endpoint ${cfg.anthropicBaseUrl} is on this machine` : 'no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN set',
      ...(loopback ? {} : { fix: 'export ANTHROPIC_API_KEY=… (or CLAUDE_CODE_OAUTH_TOKEN from `claude setup-token`) before spawning' }),
    });
  }
  // Reached the way each run's relay reaches it. Without credentials for a remote endpoint there is nothing to
  // check yet (and no reason to send anything off this machine).
  if (!loopback && !haveCredential) {
    add({ name: 'model endpoint', status: 'warn', detail: `${cfg.anthropicBaseUrl}: not tried (no credentials set)`, fix: 'set credentials, then run `paddock doctor` again' });
  } else {
    const probe = await probeUpstream(cfg.anthropicBaseUrl, await modelCredential(cfg)().catch(() => ({})));
    add(
      probe.reachable
        ? { name: 'model endpoint', status: 'ok', detail: `${cfg.anthropicBaseUrl} answers (HTTP ${probe.status}), reached the way each run's relay reaches it` }
        : {
            name: 'model endpoint',
            status: 'fail',
            detail: `${cfg.anthropicBaseUrl} is unreachable: ${probe.error}`,
            fix: 'start the model endpoint, or set PADDOCK_ANTHROPIC_BASE_URL to one that answers',
          },
    );
  }
  // The OpenAI and Gemini endpoints, where they are set up (app/vendor-doctor.ts).
  checks.push(...(await vendorEndpointChecks(cfg)));
  return checks;
}
