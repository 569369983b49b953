/** Fixtures shared by the upstream tests: endpoint states without a snapshot around them. */
import type { Endpoint } from "@skein/shared";
import { createEndpointState, type EndpointState } from "./endpoint-state.ts";

export function endpoint(address: string, port = 8080, weight = 1, labels: Record<string, string> = {}): Endpoint {
  return { address, port, sidecar: true, labels, weight };
}

/** Hosts 10.0.0.1.. with the given weights (default: `n` hosts of weight 1). */
export function hosts(n: number, weights?: readonly number[]): EndpointState[] {
  return Array.from({ length: n }, (_, i) => createEndpointState(endpoint(`10.0.0.${i + 1}`, 8080, weights?.[i] ?? 1)));
}

/** Named like `10.0.0.<i+1>:8080` → "h<i+1>", to keep expectations short. */
export function nameOf(host: EndpointState | undefined): string {
  if (!host) return "none";
  return `h${host.endpoint.address.split(".").pop()}`;
}

export function tally(picks: readonly (EndpointState | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[nameOf(p)] = (out[nameOf(p)] ?? 0) + 1;
  return out;
}
