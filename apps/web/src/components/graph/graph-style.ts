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

export function graphStyle(edgeLabel: EdgeLabel): StylesheetJson {
  const field = LABEL_FIELD[edgeLabel];
  return [
    {
      selector: "node",
      style: {
        width: 30,
        height: 30,
        "background-color": "#ffffff",
        "border-width": 2.5,
        "border-color": HEALTH_COLORS.na,
        label: "data(label)",
        "font-family": FONT,
        "font-size": 11,
        color: "#1d2430",
        "text-valign": "bottom",
        "text-halign": "center",
        "text-margin-y": 5,
        "text-wrap": "wrap",
        "text-max-width": "140px",
        "line-height": 1.15,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": "1px",
        "text-background-shape": "roundrectangle",
        "min-zoomed-font-size": 7,
        "overlay-padding": 6,
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
        "curve-style": "bezier",
        "line-color": EDGE_COLORS.na,
        "target-arrow-color": EDGE_COLORS.na,
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "font-family": FONT,
        "font-size": 9.5,
        color: "#2e3a4a",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": "2px",
        "text-background-shape": "roundrectangle",
        // below the line, clear of the mTLS lock drawn at the midpoint
        "text-margin-y": 11,
        "min-zoomed-font-size": 8,
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
