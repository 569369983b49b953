import type { Resource } from "../model/resource.ts";
import { proxyConfigBody } from "./proxy-config.ts";
import { PushContext } from "./push-context.ts";
import type { ServiceRegistry } from "./registry.ts";
import type { ProxySnapshot, WorkloadIdentity } from "./snapshot.ts";

export interface CompileInput {
  /** Istio resources that passed validation; other kinds are ignored. */
  resources: readonly Resource[];
  registry: ServiceRegistry;
  workload: WorkloadIdentity;
  rootNamespace?: string;
}

/**
 * Compiles Istio resources and the service registry into one sidecar's snapshot. Pure:
 * the same input always gives the same snapshot and version. The control plane, which
 * compiles many sidecars per change, uses a PushContext directly.
 */
export function compileSnapshot(input: CompileInput): ProxySnapshot {
  const body = proxyConfigBody(new PushContext(input).compile(input.workload));
  return { version: contentVersion(body), ...body };
}

/** FNV-1a over the canonical JSON: a short, stable version that changes with the content. */
export function contentVersion(value: unknown): string {
  const text = JSON.stringify(value);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return ((h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0")).slice(0, 16);
}
