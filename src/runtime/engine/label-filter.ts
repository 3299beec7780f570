/**
 * Engine-side label filtering narrows what comes back, but is not trusted alone: Podman 4.3's volume list ORs several
 * label filters (Docker ANDs them), so every list is checked again with hasLabels.
 */
export function hasLabels(have: Record<string, string> | null | undefined, want: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(want)) if (have?.[k] !== v) return false;
  return true;
}

/** The list request's `filters` for these labels (none when there are none). */
export function labelFilter(labels: Record<string, string>): Record<string, unknown> {
  const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return label.length === 0 ? {} : { filters: { label } };
}
