export { buildAgentImage, IMAGES_DIR } from './agent-image.ts';
export type { BuildAgentImageOptions } from './agent-image.ts';
export { ensureBaseImage, isLocalBase } from './base-image.ts';
export { ensureClaudeBinary } from './claude-binary.ts';
export { buildCustomImage, buildStackImage, customContainerfile, isStack, LABELS as IMAGE_LABELS, NPM_VERSION, STACKS, stackTag } from './stacks.ts';
export type { CustomImageRequest, Stack, StackOrBase } from './stacks.ts';
export { checkPackages, MAX_PACKAGES } from './packages.ts';
export type { PackageKind } from './packages.ts';
