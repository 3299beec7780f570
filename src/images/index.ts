export { buildAgentImage, IMAGES_DIR } from './agent-image.ts';
export type { BuildAgentImageOptions } from './agent-image.ts';
export { ensureBaseImage, isLocalBase } from './base-image.ts';
export { ensureClaudeBinary } from './claude-binary.ts';
