/** Every container, volume and network Paddock creates carries these labels, so reconcile and gc can find them. */
export const LABEL = {
  managed: 'dev.paddock.managed',
  /** Which Paddock home (state directory) owns it: several homes can share one engine (tests do). */
  instance: 'dev.paddock.instance',
  run: 'dev.paddock.run',
  session: 'dev.paddock.session',
  kind: 'dev.paddock.kind',
  /** A service container's name in its run (docs/services.md). */
  service: 'dev.paddock.service',
} as const;

/**
 * helper: a short-lived container Paddock runs for itself (e.g. git diff over a live run's clone). service: a run's
 * service container; netns: the holder of a run's network namespace (docs/services.md).
 */
export type ResourceKind = 'agent' | 'session-home' | 'network' | 'image' | 'probe' | 'helper' | 'service' | 'netns';

export function paddockLabels(instance: string, kind: ResourceKind, extra: { run?: string; session?: string } = {}): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.managed]: 'true', [LABEL.instance]: instance, [LABEL.kind]: kind };
  if (extra.run !== undefined) labels[LABEL.run] = extra.run;
  if (extra.session !== undefined) labels[LABEL.session] = extra.session;
  return labels;
}
