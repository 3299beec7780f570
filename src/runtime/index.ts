export type { ContainerRuntime, ContainerState, ContainerSummary, EngineInfo, EngineKind, ImageInfo, LogLine, BuildImageRequest, VolumeSummary, NetworkSummary } from './port.ts';
export type { ImageSearchResult, ImageSummary } from './port.ts';
export { buildAgentContainerSpec, buildNetnsHolderSpec, buildServiceContainerSpec, buildHelperContainerSpec, IN_CONTAINER } from './container-spec.ts';
export type { AgentContainerInput, RunNetns, ServiceContainerInput, HardenedContainerSpec, HelperContainerInput, ResourceLimits } from './container-spec.ts';

export { LABEL, paddockLabels } from './labels.ts';
export type { ResourceKind } from './labels.ts';
export { DockerEngineRuntime } from './docker-engine.ts';
export { discoverEngine } from './socket-discovery.ts';
export type { DiscoverOptions } from './socket-discovery.ts';
export { type AgentIdentity, writeIdentityFiles } from './identity.ts';
export { SECCOMP_PROFILE_JSON } from './seccomp/index.ts';
export { restrictSocket } from './socket-access.ts';
