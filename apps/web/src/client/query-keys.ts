/**
 * One key factory per domain, so related queries are invalidated together
 * (e.g. every config query after an apply).
 */
export const authKeys = {
  me: () => ["auth", "me"] as const,
};

export const configKeys = {
  all: () => ["config"] as const,
  list: (kind?: string, namespace?: string) => ["config", "list", kind ?? "*", namespace ?? "*"] as const,
  resource: (kind: string, namespace: string, name: string) => ["config", "resource", kind, namespace, name] as const,
  history: (filter: { kind?: string; namespace?: string; name?: string }) => ["config", "history", filter] as const,
};

export const meshKeys = {
  all: () => ["mesh"] as const,
  graph: (params: Record<string, string | string[] | boolean | undefined>) => ["mesh", "graph", params] as const,
  metrics: (params: Record<string, string | undefined>) => ["mesh", "metrics", params] as const,
  workloads: () => ["mesh", "workloads"] as const,
  proxies: () => ["mesh", "proxies"] as const,
  service: (namespace: string, name: string) => ["mesh", "service", namespace, name] as const,
  workload: (namespace: string, name: string) => ["mesh", "workload", namespace, name] as const,
};

export const traceKeys = {
  all: () => ["traces"] as const,
  search: (params: Record<string, string | undefined>) => ["traces", "search", params] as const,
  trace: (id: string) => ["traces", "trace", id] as const,
  services: () => ["traces", "services"] as const,
};
