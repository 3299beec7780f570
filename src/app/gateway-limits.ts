/**
 * What the model gateway holds a new run to, settled at spawn: its budget (its own, or its tree's when it is spawned
 * on behalf of another run), the models it may use and the largest max_tokens it may ask for. A run may narrow the
 * server's limits (PADDOCK_GATEWAY_MODELS, PADDOCK_GATEWAY_MAX_TOKENS), never widen them.
 */
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { modelAllowed } from '../gateway/index.ts';
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import type { ParsedSpawnInput } from './spawn-input.ts';

export type GatewayLimits = Pick<Run, 'parentRunId' | 'rootRunId' | 'maxBudgetUsd' | 'allowedModels' | 'maxTokens'>;

export function settleGatewayLimits(p: Paddock, req: ParsedSpawnInput, agentOptions: Record<string, unknown>): GatewayLimits {
  const cfg = p.config;
  const optionBudget = typeof agentOptions.max_budget_usd === 'number' ? agentOptions.max_budget_usd : undefined;
  const maxBudgetUsd = req.budget ?? optionBudget ?? null;

  let parentRunId: string | null = null;
  let rootRunId: string | null = null;
  if (req.parentRunId !== undefined) {
    const parent = findRun(p, req.parentRunId);
    parentRunId = parent.id;
    rootRunId = parent.rootRunId ?? parent.id;
    const root = rootRunId === parent.id ? parent : p.runs.get(rootRunId);
    if (root?.maxBudgetUsd != null) {
      const spent = p.runs.treeSpend(root.id);
      if (spent >= root.maxBudgetUsd) {
        throw new PaddockError(ErrorCode.Conflict, `the budget of run ${root.id}'s tree is spent ($${spent.toFixed(4)} of $${root.maxBudgetUsd})`, {
          hint: 'a run spawned on behalf of another counts against the tree’s budget; start a new tree, or give it a larger budget',
        });
      }
    }
  }

  let allowedModels: string[] | null = cfg.gatewayModels.length ? [...cfg.gatewayModels] : null;
  if (req.allowedModels !== undefined) {
    if (cfg.gatewayModels.length) {
      for (const m of req.allowedModels) {
        // A run's glob must name only models the server allows: checked on the glob's literal text (its * as a character).
        if (!modelAllowed({ models: cfg.gatewayModels }, m)) {
          throw new PaddockError(ErrorCode.Forbidden, `allowedModels: ${m} is outside the server's model allowlist (PADDOCK_GATEWAY_MODELS: ${cfg.gatewayModels.join(', ')})`, {
            hint: 'ask only for models the server allows',
          });
        }
      }
    }
    allowedModels = [...req.allowedModels];
  }
  if (req.model !== undefined && allowedModels && !/^(sonnet|opus|haiku)$/.test(req.model) && !modelAllowed({ models: allowedModels }, req.model)) {
    throw new PaddockError(ErrorCode.Forbidden, `model ${req.model} is not in the run's model allowlist (${allowedModels.join(', ')})`, { hint: 'choose an allowed model' });
  }

  let maxTokens: number | null = cfg.gatewayMaxTokens ?? null;
  if (req.maxTokens !== undefined) {
    if (cfg.gatewayMaxTokens !== undefined && req.maxTokens > cfg.gatewayMaxTokens) {
      throw new PaddockError(ErrorCode.Forbidden, `maxTokens ${req.maxTokens} is above the server's cap (PADDOCK_GATEWAY_MAX_TOKENS=${cfg.gatewayMaxTokens})`, { hint: 'ask for less' });
    }
    maxTokens = req.maxTokens;
  }
  return { parentRunId, rootRunId, maxBudgetUsd, allowedModels, maxTokens };
}
