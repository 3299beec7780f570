export { startEgressProxy } from './proxy.ts';
export type { EgressAttempt, EgressProxy, EgressProxyOptions } from './proxy.ts';
export { type AllowRule, isHostName, matchRule, normaliseHost, parseAllowList, parseAllowRule } from './rules.ts';
export { isLocalName, isPrivateAddress } from './private-address.ts';
export { type EgressUpstream, parseUpstream } from './upstream-url.ts';
export { NETWORK_MODES, type NetworkMode } from './mode.ts';
export { DEFAULT_EGRESS_ALLOW } from './defaults.ts';
