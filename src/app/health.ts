/**
 * The quick health of a Paddock, for load balancers and clients that poll (doctor is the thorough, slow one): can it
 * reach its engine, is the agent image there, can its agents reach a model. Each check has 5 s; none changes
 * anything or sends anything off this machine.
 */
import { credentialStatus } from './credentials.ts';
import type { Paddock } from './context.ts';

export interface HealthComponent {
  name: string;
  ok: boolean;
  /** What is wrong, and what to do, when not ok. */
  error?: string;
}

const CHECK_MS = 5000;

export async function health(p: Paddock): Promise<HealthComponent[]> {
  const engine = within(
    CHECK_MS,
    (async () => {
      const rt = await p.runtime();
      await rt.ping();
      return rt;
    })(),
  );
  const components: HealthComponent[] = [];
  let engineName = 'engine';
  try {
    const rt = await engine;
    engineName = rt.info.kind;
    components.push({ name: engineName, ok: true });
    const image = await within(CHECK_MS, rt.imageExists(p.config.image)).catch(() => false);
    components.push(image ? { name: 'agent-image', ok: true } : { name: 'agent-image', ok: false, error: `image ${p.config.image} is missing: run \`paddock image build\`` });
  } catch (e) {
    components.push({ name: engineName, ok: false, error: `failed to connect to the container engine: ${(e as Error).message}` });
    components.push({ name: 'agent-image', ok: false, error: 'not checked: no engine' });
  }
  components.push(
    modelAccessConfigured(p)
      ? { name: 'claude-credentials', ok: true }
      : { name: 'claude-credentials', ok: false, error: 'no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN on the host: export one before starting paddock serve' },
  );
  return components;
}

/**
 * Whether agents can reach a model: a real credential is set on the host, or the model endpoint is on this machine
 * (a local endpoint needs none).
 */
export function modelAccessConfigured(p: Paddock): boolean {
  if (p.config.anthropicApiKey || p.config.claudeOauthToken) return true;
  if (credentialStatus(p.config).source === 'imported') return true;
  return /^(localhost|127\.|\[::1\])/.test(new URL(p.config.anthropicBaseUrl).host);
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
