/**
 * What model calls cost, from the tokens the relay counted. Prices are US dollars per million tokens; cache writes
 * cost 1.25× input and cache reads 0.1× input, as Anthropic bills them (OpenAI bills cached input at 0.1× too).
 * The first matching pattern wins.
 * The Claude CLI's own `total_cost_usd` is not used: after --resume it is the whole conversation's total.
 */
import type { Usage } from '../agents/types.ts';

export interface Price {
  input: number;
  output: number;
}

/** Prices from config (PADDOCK_MODEL_PRICES): model glob → price, tried before the built-in table. */
export type PriceOverrides = Readonly<Record<string, Price>>;

const PRICES: readonly [RegExp, Price][] = [
  // Checked against Claude Code 2.1.332, which prices its default model (claude-opus-5-5) at $4/M in, $20/M out.
  [/opus-5/, { input: 4, output: 20 }],
  [/opus-4-[5-9]/, { input: 5, output: 25 }],
  [/opus/, { input: 15, output: 75 }],
  [/sonnet/, { input: 3, output: 15 }],
  [/haiku-3-5|3-5-haiku/, { input: 0.8, output: 4 }],
  [/haiku-3|3-haiku/, { input: 0.25, output: 1.25 }],
  [/haiku/, { input: 1, output: 5 }],
  // OpenAI's list prices (cached input is billed at a tenth of input, as cache reads are here).
  [/gpt-5[.-]?\d*-?nano/, { input: 0.05, output: 0.4 }],
  [/gpt-5[.-]?\d*-?mini/, { input: 0.25, output: 2 }],
  [/^gpt-5/, { input: 1.25, output: 10 }],
  // Google's list prices for prompts up to 200k tokens (Gemini bills cached input at a quarter; counted at a tenth here).
  [/gemini-2\.5-flash-lite/, { input: 0.1, output: 0.4 }],
  [/gemini-2\.5-flash/, { input: 0.3, output: 2.5 }],
  [/gemini-2\.5-pro/, { input: 1.25, output: 10 }],
  [/gemini-2\.0-flash-lite/, { input: 0.075, output: 0.3 }],
  [/gemini-2\.0-flash/, { input: 0.1, output: 0.4 }],
  [/gemini-3-pro/, { input: 2, output: 12 }],
];

const globRe = (glob: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

export function priceOf(model: string, overrides: PriceOverrides = {}): Price | undefined {
  const m = model.toLowerCase();
  for (const [glob, price] of Object.entries(overrides)) if (globRe(glob).test(m)) return price;
  return PRICES.find(([re]) => re.test(m))?.[1];
}

/** Cost in dollars of this usage on this model; undefined when Paddock does not know the model's price. */
export function costOf(model: string, u: Usage, overrides: PriceOverrides = {}): number | undefined {
  const p = priceOf(model, overrides);
  if (!p) return undefined;
  return (u.inputTokens * p.input + u.cacheCreationTokens * p.input * 1.25 + u.cacheReadTokens * p.input * 0.1 + u.outputTokens * p.output) / 1e6;
}
