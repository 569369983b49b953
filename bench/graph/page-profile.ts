// Inclusive time by method in a browser CPU profile. The production bundle is minified,
// but methods assigned to objects keep their names (cytoscape's `findEdgeControlPoints`,
// `applyContextStyle`, `render`), so the time under each of them says which stage of the
// drawing it went to, where self time by mangled function name says little.
import { readFileSync } from "node:fs";
import type { TimeShare } from "../proxy/cpuprofile.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Methods (names with a dot, as V8 reports `obj.method`) and named functions of 4+ characters, by inclusive time. */
export function inclusiveByMethod(path: string, top = 12): { busyMs: number; methods: TimeShare[] } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (node.callFrame.functionName === "(idle)") continue;
    busyMs += ms;
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)!.callFrame.functionName;
      // Mangled names are one to three characters; keep what still says something.
      if (!(name.includes(".") || name.length >= 4) || name.startsWith("(") || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  const methods = [...inclusive.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, percent: busyMs > 0 ? (100 * ms) / busyMs : 0 }));
  return { busyMs, methods };
}
