/** Services per run (docs/services.md): their schema, their containers in the run's network namespace, teardown. */
export { MAX_SERVICES, normaliseServices, parseServiceFlag, servicesInputSchema, serviceInputSchema, startOrder } from './schema.ts';
export type { HealthcheckSpec, ServiceInput, ServiceSpec } from './schema.ts';
export { hostsFileText, netnsLast, removeRunServices, runServiceContainers, SERVICE_LIMITS, startServices } from './stack.ts';
export type { StackContext } from './stack.ts';
export { cleanText } from './clean.ts';
export { COMPOSE_SUBSET, composeEnvironment, loadCompose } from './compose.ts';
export type { ComposeEnvironment } from './compose.ts';
