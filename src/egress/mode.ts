/**
 * A run's network: none (no route at all, no proxy served), proxy (only through the run's egress proxy, by its allow
 * list: the default), open (a bridge network, only where the server permits it with PADDOCK_EGRESS_OPEN).
 */
export const NETWORK_MODES = ['none', 'proxy', 'open'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];
