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
  /** Every stored resource with its validation (/api/config/status). */
  status: () => ["config", "status"] as const,
};

export const meshKeys = {
  all: () => ["mesh"] as const,
  graph: (params: Record<string, string | string[] | boolean | undefined>) => ["mesh", "graph", params] as const,
  metrics: (params: Record<string, string | undefined>) => ["mesh", "metrics", params] as const,
  /** The config that applies to a graph node (GET /api/graph/config). */
  nodeConfig: (params: Record<string, string>) => ["mesh", "node-config", params] as const,
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
  operations: (service: string) => ["traces", "operations", service] as const,
};

export const routeTestKeys = {
  all: () => ["route-test"] as const,
  result: (request: { source: string; host: string; method: string; path: string; headers: string }) => ["route-test", "result", request] as const,
};

export const overviewKeys = {
  all: () => ["overview"] as const,
  namespaces: (window: string) => ["overview", "namespaces", window] as const,
};
