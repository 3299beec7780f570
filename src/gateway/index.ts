export { startModelRelay } from './model-relay.ts';
export type { ModelRelay, ModelRelayOptions, UpstreamCredential } from './model-relay.ts';
export { probeUpstream, describeUpstreamError } from './upstream.ts';
export type { ProbeResult } from './upstream.ts';
export { UsageTap } from './usage-tap.ts';
export type { UsageIncrement } from './usage-tap.ts';
export { costOf, priceOf } from './pricing.ts';
