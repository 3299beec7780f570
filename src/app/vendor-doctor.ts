/**
 * doctor's checks of the other vendors' endpoints (OpenAI for Codex runs, Gemini for Gemini CLI runs), each reached
 * the way its runs' gateway reaches it (the vendor's probe, with its real key). Only a vendor that is set up is tried:
 * one with a key on the host, or a loopback base URL (a local or test endpoint); no line for the others.
 */
import type { Config } from '../config/index.ts';
import { probeUpstream, VENDORS } from '../gateway/index.ts';
import type { Check } from './doctor.ts';

const LOOPBACK = /^(localhost|127\.|\[::1\])/;

export async function vendorEndpointChecks(cfg: Pick<Config, 'openaiBaseUrl' | 'openaiApiKey' | 'geminiBaseUrl' | 'geminiApiKey'>): Promise<Check[]> {
  const rows = [
    { vendor: VENDORS.openai, url: cfg.openaiBaseUrl, key: cfg.openaiApiKey, setting: 'PADDOCK_OPENAI_BASE_URL', who: 'Codex' },
    { vendor: VENDORS.gemini, url: cfg.geminiBaseUrl, key: cfg.geminiApiKey, setting: 'PADDOCK_GEMINI_BASE_URL', who: 'Gemini CLI' },
  ];
  const checks: Check[] = [];
  for (const r of rows) {
    if (!r.key && !LOOPBACK.test(new URL(r.url).host)) continue;
    const name = `${r.vendor.name} endpoint`;
    const probe = await probeUpstream(r.url, { apiKey: r.key }, 5000, r.vendor);
    checks.push(
      probe.reachable
        ? { name, status: 'ok', detail: `${r.url} answers (HTTP ${probe.status}), reached the way ${r.who} runs' gateway reaches it` }
        : { name, status: 'fail', detail: `${r.url} is unreachable: ${probe.error}`, fix: `start the endpoint, or set ${r.setting} to one that answers` },
    );
  }
  return checks;
}
