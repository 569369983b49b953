/** Label maps as Kubernetes and Istio selectors use them. */
export type Labels = Readonly<Record<string, string>>;

/** Whether every label of `selector` is carried by `labels` (Kubernetes matchLabels semantics). */
export function selects(selector: Labels, labels: Labels): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** `{app: reviews, version: v1}` as a person reads it in a message. */
export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}: ${v}`);
  return `{${parts.join(", ")}}`;
}

export function isEmpty(labels: Labels | undefined): boolean {
  if (!labels) return true;
  for (const _ in labels) return false;
  return true;
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function asStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = asRecord(v);
  if (r) for (const [k, val] of Object.entries(r)) if (typeof val === "string") out[k] = val;
  return out;
}
