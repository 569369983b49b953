import type { StoredResource } from "@skein/shared/browser";

/** The list's filters, as they sit in the URL (?kind=&namespace=), so a filtered view can be shared. */
export interface ListFilters {
  kind?: string;
  namespace?: string;
}

export function filtersFrom(params: { get(name: string): string | null }): ListFilters {
  const kind = params.get("kind") || undefined;
  const namespace = params.get("namespace") || undefined;
  return { ...(kind ? { kind } : {}), ...(namespace ? { namespace } : {}) };
}

export function filtersQuery(f: ListFilters): string {
  const q = new URLSearchParams();
  if (f.kind) q.set("kind", f.kind);
  if (f.namespace) q.set("namespace", f.namespace);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function matches(r: StoredResource, f: ListFilters): boolean {
  return (!f.kind || r.kind === f.kind) && (!f.namespace || r.metadata.namespace === f.namespace);
}

/** Sorted by kind, then namespace, then name, as kubectl lists them. */
export function byKindNamespaceName(a: StoredResource, b: StoredResource): number {
  return a.kind.localeCompare(b.kind) || a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name);
}

/** "Valid", "2 warnings", "1 error, 2 warnings": Kiali's validation summary. */
export function statusLabel(v: { errors: number; warnings: number }): { label: string; tone: "valid" | "warning" | "error" } {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (v.errors > 0) return { label: [plural(v.errors, "error"), ...(v.warnings > 0 ? [plural(v.warnings, "warning")] : [])].join(", "), tone: "error" };
  if (v.warnings > 0) return { label: plural(v.warnings, "warning"), tone: "warning" };
  return { label: "Valid", tone: "valid" };
}

/** The service a VirtualService or DestinationRule is about, for its "Wizards" link (short host names only). */
export function serviceOf(r: StoredResource): string | undefined {
  const spec = r.spec as { host?: unknown; hosts?: unknown } | undefined;
  const host = r.kind === "DestinationRule" ? spec?.host : r.kind === "VirtualService" && Array.isArray(spec?.hosts) ? spec.hosts[0] : undefined;
  if (typeof host !== "string" || host.includes("*")) return undefined;
  const [name, ns] = host.split(".");
  return ns === undefined || ns === r.metadata.namespace ? name : undefined;
}
