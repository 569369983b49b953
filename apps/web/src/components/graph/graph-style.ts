/**
 * The canvas stylesheet, after Kiali's (graph/GraphStyles.ts): shapes by node type (app a
 * rounded square, workload a circle, service a triangle, the caller outside the mesh a
 * diamond), node borders and edges coloured by health, compound boxes for apps and
 * namespaces, edge labels from precomputed data fields. Labels stop drawing when they
 * would be too small to read, which is what keeps 3,000 labelled edges fast.
 */
import type { StylesheetJson } from "cytoscape";
import type { EdgeLabel } from "@/client/graph/url-state";

export const HEALTH_COLORS = {
  healthy: "#3e8635",
  degraded: "#f0ab00",
  failure: "#c9190b",
  na: "#8a8d90",
} as const;

export const EDGE_COLORS = {
  healthy: "#4d9a3f",
  degraded: "#e69b00",
  failure: "#c9190b",
  na: "#9aa1ab",
  tcp: "#2b6cb0",
} as const;

const SELECTED = "#2563eb";
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

const LABEL_FIELD: Record<EdgeLabel, string | undefined> = {
  none: undefined,
  rate: "labelRate",
  errorRate: "labelErrorRate",
  p95: "labelP95",
};

/**
 * The zoom below which a big graph is drawn as an overview: no labels (they would be under
 * their min-zoomed-font-size anyway, yet cytoscape still measures every one) and straight
 * unarrowed "haystack" edges, which skip the per-edge geometry arrows and endpoints need.
 * Together they took ~0.3 s off the first render of 1,500 nodes and 2,800 edges. Above it,
 * where labels and badges become readable, the full stylesheet comes back (and the overlay
 * starts drawing locks and badges, graph-overlay.ts).
 */
export const DETAIL_ZOOM = 0.45;

/** Whether a graph is drawn as an overview: a big one zoomed out, or not yet drawn (its fitted zoom will be far out). */
export function isOverview(lean: boolean, zoom: number, drawnNothing: boolean): boolean {
  return lean && (drawnNothing || zoom < DETAIL_ZOOM);
}

/**
 * `lean` drops what only shows close up (label backgrounds, fonts, spacing) for big graphs:
 * cytoscape re-checks every compound box's cached style once per property per element when
 * it first styles a graph, so each property costs thousands of checks there. `overview` is
 * the zoomed-out drawing of a big graph (see DETAIL_ZOOM).
 */
export function graphStyle(edgeLabel: EdgeLabel, lean = false, overview = false): StylesheetJson {
  const field = overview ? undefined : LABEL_FIELD[edgeLabel];
  const labelBackground = lean
    ? {}
    : { "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": "1px", "text-background-shape": "roundrectangle" as const };
  return [
    {
      selector: "node",
      style: {
        width: 30,
        height: 30,
        "background-color": "#ffffff",
        "border-width": 2.5,
        "border-color": HEALTH_COLORS.na,
        ...(overview ? {} : { label: "data(label)" }),
        "font-size": 12,
        "text-valign": "bottom",
        "text-wrap": "wrap",
        "min-zoomed-font-size": 7,
        ...(lean ? {} : { "font-family": FONT, color: "#1d2430", "text-margin-y": 5, "text-max-width": "140px", "line-height": 1.15, "overlay-padding": 6, ...labelBackground }),
      },
    },
    { selector: 'node[nodeType = "app"]', style: { shape: "round-rectangle" } },
    { selector: 'node[nodeType = "workload"]', style: { shape: "ellipse" } },
    { selector: 'node[nodeType = "service"]', style: { shape: "round-triangle", width: 34, height: 30 } },
    { selector: 'node[nodeType = "unknown"]', style: { shape: "diamond", width: 34, height: 34 } },
    { selector: 'node[health = "healthy"]', style: { "border-color": HEALTH_COLORS.healthy } },
    { selector: 'node[health = "degraded"]', style: { "border-color": HEALTH_COLORS.degraded, "background-color": "#fff8e6", "border-width": 3 } },
    { selector: 'node[health = "failure"]', style: { "border-color": HEALTH_COLORS.failure, "background-color": "#fdeceb", "border-width": 3.5 } },
    { selector: "node[?isOutside]", style: { "background-color": "#eef0f3", "border-style": "dashed" } },
    { selector: "node[?isRoot]", style: { "border-style": "double", "border-width": 4 } },
    {
      selector: 'node[nodeType = "box"]',
      style: {
        shape: "round-rectangle",
        "background-color": "#f4f6fa",
        "background-opacity": 0.7,
        "border-width": 1,
        "border-style": "dashed",
        "border-color": "#9fb0c8",
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -3,
        "font-size": 11.5,
        "font-weight": "bold",
        color: "#4a5a70",
        "text-background-opacity": 0,
        padding: "14px",
        "min-zoomed-font-size": 6,
      },
    },
    {
      selector: 'node[box = "namespace"]',
      style: { "background-color": "#fbfbfd", "border-style": "solid", "border-width": 1.5, "border-color": "#8796ad", "font-size": 13, padding: "22px" },
    },
    {
      selector: "edge",
      style: {
        width: 1.8,
        ...(overview ? { "curve-style": "haystack", "haystack-radius": 0 } : { "curve-style": lean ? "straight" : "bezier", "target-arrow-shape": "triangle" }),
        "line-color": EDGE_COLORS.na,
        "target-arrow-color": EDGE_COLORS.na,
        "font-size": 10,
        // below the line, clear of the mTLS lock drawn at the midpoint
        "text-margin-y": 11,
        "min-zoomed-font-size": 8,
        ...(lean ? {} : { "arrow-scale": 0.9, "font-family": FONT, color: "#2e3a4a", ...labelBackground, "text-background-opacity": 0.9, "text-background-padding": "2px" }),
        ...(field ? { label: `data(${field})` } : {}),
      },
    },
    { selector: 'edge[health = "healthy"]', style: { "line-color": EDGE_COLORS.healthy, "target-arrow-color": EDGE_COLORS.healthy } },
    { selector: 'edge[health = "degraded"]', style: { "line-color": EDGE_COLORS.degraded, "target-arrow-color": EDGE_COLORS.degraded, width: 2.4 } },
    { selector: 'edge[health = "failure"]', style: { "line-color": EDGE_COLORS.failure, "target-arrow-color": EDGE_COLORS.failure, width: 2.8 } },
    { selector: 'edge[health = "na"]', style: { "line-style": "dashed" } },
    { selector: 'edge[protocol = "tcp"]', style: { "line-color": EDGE_COLORS.tcp, "target-arrow-color": EDGE_COLORS.tcp, "line-style": "dashed", "line-dash-pattern": [6, 3] } },
    {
      selector: ".found",
      style: { "underlay-color": "#f5c518", "underlay-opacity": 0.55, "underlay-padding": 7, "underlay-shape": "ellipse" },
    },
    { selector: "node:selected", style: { "border-color": SELECTED, "border-width": 4, "overlay-color": SELECTED, "overlay-opacity": 0.12 } },
    { selector: 'node[nodeType = "box"]:selected', style: { "border-width": 2.5, "border-style": "solid" } },
    { selector: "edge:selected", style: { "line-color": SELECTED, "target-arrow-color": SELECTED, width: 3.5, "z-index": 10 } },
  ];
}
