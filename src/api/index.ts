export { createApi, isNativePath } from './app.ts';
export type { ApiLogger, ApiOptions } from './app.ts';
export { HTTP_FOR_ERROR, errorBody, asPaddockError } from './errors.ts';
export type { ApiEnv } from './context.ts';
export { createGuards } from './guards/index.ts';
export { registerAuthRoutes } from './compat/auth.ts';
export { terminalUpgrades } from './native/shell.ts';
export type { UpgradeHandler } from './native/shell.ts';
