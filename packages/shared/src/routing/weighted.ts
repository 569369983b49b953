import type { WeightedCluster } from "../compiler/snapshot.ts";

/**
 * Picks a destination by weight. Istio does not require weights to sum to 100: each gets
 * weight/total. `roll` is in [0, 1) and injected so tests and the route tester are exact.
 */
export function pickWeighted(clusters: readonly WeightedCluster[], roll: number): WeightedCluster | undefined {
  if (clusters.length <= 1) return clusters[0];
  let total = 0;
  for (const c of clusters) total += c.weight;
  if (total <= 0) return clusters[0];
  let point = roll * total;
  for (const c of clusters) {
    if (point < c.weight) return c;
    point -= c.weight;
  }
  // Floating-point leftovers land on the last destination that has any weight.
  for (let i = clusters.length - 1; i >= 0; i--) if (clusters[i]!.weight > 0) return clusters[i];
  return undefined;
}
