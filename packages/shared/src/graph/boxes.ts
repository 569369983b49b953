/**
 * Kiali's compound "box" nodes (graph/config/cytoscape boxByApp, boxByNamespace, with its
 * default boxBy "namespace,app"): an app box around the nodes of one app in one namespace
 * (its versions or workloads), then a namespace box around what is not boxed yet, but only
 * when the graph spans more than one namespace. A box needs two members, as in Kiali.
 * A box's traffic and health are those of the edges that cross its border, so requests
 * passing through a service node and then a workload inside the box count once.
 */
import { nodeHealth } from "./health.ts";
import { UNKNOWN } from "./series.ts";
import type { GraphEdge, GraphNode, NodeTraffic } from "./types.ts";

/** Sets `parent` on members and returns the box nodes, namespace boxes first, each sorted by id. */
export function addBoxes(nodes: GraphNode[], edges: readonly GraphEdge[]): GraphNode[] {
  const appGroups = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    if (n.type === "service" || n.type === "unknown" || !n.app || n.app === UNKNOWN) continue;
    push(appGroups, `box:app:${n.namespace}:${n.app}`, n);
  }
  const boxes: GraphNode[] = [];
  const members = new Map<string, GraphNode[]>();
  for (const [id, group] of appGroups) {
    if (group.length < 2) continue;
    for (const m of group) m.parent = id;
    boxes.push(box(id, "app", group[0]!, group[0]!.app));
    members.set(id, group);
  }

  const nsGroups = new Map<string, GraphNode[]>();
  for (const n of [...nodes, ...boxes]) {
    if (n.parent || n.namespace === UNKNOWN) continue;
    push(nsGroups, `box:ns:${n.namespace}`, n);
  }
  if (nsGroups.size > 1) {
    for (const [id, group] of nsGroups) {
      if (group.length < 2) continue;
      for (const m of group) m.parent = id;
      boxes.push(box(id, "namespace", group[0]!));
      members.set(id, group.flatMap((m) => members.get(m.id) ?? [m]));
    }
  }
  measure(boxes, members, edges);
  return boxes.sort((a, b) => (a.box === b.box ? (a.id < b.id ? -1 : 1) : a.box === "namespace" ? -1 : 1));
}

function box(id: string, kind: "app" | "namespace", first: GraphNode, app?: string): GraphNode {
  return {
    id,
    type: "box",
    box: kind,
    namespace: first.namespace,
    ...(app ? { app } : {}),
    health: { status: "idle", errorRate: 0, requestRate: 0 },
    traffic: { in: 0, out: 0, tcpIn: 0, tcpOut: 0 },
  };
}

/** Fills in each box's traffic, health and isOutside from the edges across its border. */
function measure(boxes: GraphNode[], members: ReadonlyMap<string, GraphNode[]>, edges: readonly GraphEdge[]): void {
  const boxesOf = new Map<string, string[]>();
  const traffic = new Map<string, NodeTraffic>();
  const inbound = new Map<string, Record<string, number>>();
  for (const b of boxes) {
    traffic.set(b.id, b.traffic);
    inbound.set(b.id, {});
    for (const m of members.get(b.id) ?? []) {
      push(boxesOf, m.id, b.id);
      if (m.isOutside) b.isOutside = true;
    }
  }
  for (const e of edges) {
    const from = boxesOf.get(e.source) ?? [];
    const to = boxesOf.get(e.target) ?? [];
    const bytes = e.tcp ? e.tcp.sentBytes + e.tcp.receivedBytes : 0;
    for (const id of to) {
      if (from.includes(id)) continue;
      const t = traffic.get(id)!;
      if (e.tcp) {
        t.tcpIn += bytes;
        continue;
      }
      t.in += e.rate;
      const codes = inbound.get(id)!;
      for (const [key, rate] of Object.entries(e.responseCodes)) codes[key] = (codes[key] ?? 0) + rate;
    }
    for (const id of from) {
      if (to.includes(id)) continue;
      const t = traffic.get(id)!;
      if (e.tcp) t.tcpOut += bytes;
      else t.out += e.rate;
    }
  }
  for (const b of boxes) b.health = nodeHealth(inbound.get(b.id)!, b.traffic);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
