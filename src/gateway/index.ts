export { startModelRelay } from './model-relay.ts';
export type { ModelRelay, ModelRelayOptions, UpstreamCredential } from './model-relay.ts';
