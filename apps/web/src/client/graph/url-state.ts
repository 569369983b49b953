/**
 * The graph view a user would bookmark, read from and written to the URL:
 * `/?namespaces=shop,other&graphType=versionedApp&duration=5m&refresh=10s&edgeLabel=rate&idleEdges=true&find=rt>500&hide=&selected=<element id>`.
 * Unknown or malformed values fall back to the defaults, so an old link still opens.
 */
import type { GraphType } from "@skein/shared/browser";

export const GRAPH_TYPE_CHOICES: readonly { value: GraphType; label: string }[] = [
  { value: "versionedApp", label: "Versioned app" },
  { value: "app", label: "App" },
  { value: "workload", label: "Workload" },
  { value: "service", label: "Service" },
];

export const WINDOW_CHOICES = ["1m", "5m", "10m", "30m", "1h", "3h", "6h", "1d"] as const;
export type WindowChoice = (typeof WINDOW_CHOICES)[number];

export const REFRESH_CHOICES = [
  { value: "off", label: "Off", ms: 0 },
  { value: "5s", label: "Every 5s", ms: 5_000 },
  { value: "10s", label: "Every 10s", ms: 10_000 },
  { value: "30s", label: "Every 30s", ms: 30_000 },
  { value: "1m", label: "Every 1m", ms: 60_000 },
] as const;
export type RefreshChoice = (typeof REFRESH_CHOICES)[number]["value"];

export const EDGE_LABEL_CHOICES = [
  { value: "none", label: "None" },
  { value: "rate", label: "Request rate" },
  { value: "errorRate", label: "Error %" },
  { value: "p95", label: "P95 latency" },
] as const;
export type EdgeLabel = (typeof EDGE_LABEL_CHOICES)[number]["value"];

export interface GraphView {
  /** undefined: the URL names none, so every namespace with workloads is shown. */
  namespaces: string[] | undefined;
  graphType: GraphType;
  duration: WindowChoice;
  refresh: RefreshChoice;
  edgeLabel: EdgeLabel;
  idleEdges: boolean;
  find: string;
  hide: string;
  /** Id of the selected node or edge. */
  selected: string | undefined;
}

export const DEFAULT_VIEW: GraphView = {
  namespaces: undefined,
  graphType: "versionedApp",
  duration: "1m",
  refresh: "10s",
  edgeLabel: "rate",
  idleEdges: false,
  find: "",
  hide: "",
  selected: undefined,
};

function oneOf<T extends string>(value: string | null, choices: readonly T[], fallback: T): T {
  return value !== null && (choices as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function readView(params: URLSearchParams): GraphView {
  const ns = params.get("namespaces");
  return {
    namespaces: ns === null ? undefined : [...new Set(ns.split(",").map((s) => s.trim()).filter(Boolean))],
    graphType: oneOf(params.get("graphType"), GRAPH_TYPE_CHOICES.map((c) => c.value), DEFAULT_VIEW.graphType),
    duration: oneOf(params.get("duration"), WINDOW_CHOICES, DEFAULT_VIEW.duration),
    refresh: oneOf(params.get("refresh"), REFRESH_CHOICES.map((c) => c.value), DEFAULT_VIEW.refresh),
    edgeLabel: oneOf(params.get("edgeLabel"), EDGE_LABEL_CHOICES.map((c) => c.value), DEFAULT_VIEW.edgeLabel),
    idleEdges: params.get("idleEdges") === "true",
    find: params.get("find") ?? "",
    hide: params.get("hide") ?? "",
    selected: params.get("selected") || undefined,
  };
}

/**
 * The query string for a view: namespaces whenever they were chosen (an empty choice is
 * kept, so "none selected" survives a reload), everything else only when not the default.
 */
export function writeView(view: GraphView): string {
  const params = new URLSearchParams();
  if (view.namespaces !== undefined) params.set("namespaces", view.namespaces.join(","));
  const rest: [keyof GraphView, string | undefined][] = [
    ["graphType", view.graphType],
    ["duration", view.duration],
    ["refresh", view.refresh],
    ["edgeLabel", view.edgeLabel],
    ["idleEdges", view.idleEdges ? "true" : "false"],
    ["find", view.find],
    ["hide", view.hide],
    ["selected", view.selected],
  ];
  for (const [key, value] of rest) {
    const fallback = DEFAULT_VIEW[key];
    const def = typeof fallback === "boolean" ? String(fallback) : (fallback ?? "");
    if (value !== undefined && value !== def) params.set(key, value);
  }
  return params.toString();
}

export function refreshMs(choice: RefreshChoice): number {
  return REFRESH_CHOICES.find((c) => c.value === choice)!.ms;
}

/**
 * Whether the view needs p95 response times on its edges: the P95 label, or a find/hide
 * expression on `rt`/`responsetime`. Kiali's UI asks for its responseTime appender on the
 * same condition, since those histogram queries cost more than the rest of the graph.
 */
export function needsResponseTime(view: Pick<GraphView, "edgeLabel" | "find" | "hide">): boolean {
  return view.edgeLabel === "p95" || RESPONSE_TIME.test(`${view.find} ${view.hide}`);
}

const RESPONSE_TIME = /\b(rt|responsetime)\b/i;

/**
 * Whether the page may draw the graph without response times while they are computed
 * (seconds on a big mesh): yes when only labels or the find highlight use them, no when
 * the hide expression does, since nodes would vanish once they arrived.
 */
export function drawsBeforeResponseTime(view: Pick<GraphView, "edgeLabel" | "find" | "hide">): boolean {
  return needsResponseTime(view) && !RESPONSE_TIME.test(view.hide);
}

export interface GraphQueryParams {
  namespaces: readonly string[];
  graphType: string;
  duration: string;
  idleEdges: boolean;
  /** Ask for p95 response times: only when the edge label or a find/hide expression uses them, as Kiali does. */
  responseTime: boolean;
}

export function graphQueryParams(view: GraphView, namespaces: readonly string[]): GraphQueryParams {
  return { namespaces, graphType: view.graphType, duration: view.duration, idleEdges: view.idleEdges, responseTime: needsResponseTime(view) };
}

/**
 * The graph API path for a view. The page fetches it and the server preloads it from the
 * page's URL, so both must build it here, byte for byte.
 */
export function graphApiPath(p: GraphQueryParams): string {
  const params = new URLSearchParams({ namespaces: p.namespaces.join(","), graphType: p.graphType, duration: p.duration, idleEdges: String(p.idleEdges), responseTime: String(p.responseTime) });
  return `/api/graph?${params}`;
}
