"use client";
/**
 * The graph page: the view lives in the URL (client/graph/url-state.ts), server state in
 * react-query, the drawing in GraphCanvas. This component only wires them together.
 */
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { hideGraph, parseFindHide, type Graph } from "@skein/shared/browser";
import { ApiFailure } from "@/client/api";
import { workloadsQuery } from "@/client/config/queries";
import { toElements, type Elements } from "@/client/graph/elements";
import { graphQuery } from "@/client/graph/queries";
import { selectionFor } from "@/client/graph/selection";
import { drawsBeforeResponseTime, graphQueryParams, readView, refreshMs, writeView, type GraphView } from "@/client/graph/url-state";
import { GraphCanvas, type CanvasState } from "./graph-canvas";
import { GraphLegend } from "./graph-legend";
import { GraphToolbar } from "./graph-toolbar";
import { GraphMessage } from "./graph-message";
import { SidePanel } from "./side-panel";
import styles from "./graph.module.css";

const NO_ELEMENTS: Elements = { nodes: [], edges: [] };
const WINDOW_SECONDS: Record<string, number> = { "1m": 60, "5m": 300, "10m": 600, "30m": 1800, "1h": 3600, "3h": 10_800, "6h": 21_600, "1d": 86_400 };

function foundIds(graph: Graph, text: string): Set<string> {
  const parsed = text ? parseFindHide(text) : undefined;
  const out = new Set<string>();
  if (!parsed?.ok) return out;
  for (const n of graph.nodes) if (n.type !== "box" && parsed.matcher.node(n)) out.add(n.id);
  for (const e of graph.edges) if (parsed.matcher.edge(e)) out.add(e.id);
  return out;
}

export function GraphPage() {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const view = useMemo(() => readView(new URLSearchParams(searchParams.toString())), [searchParams]);
  const setView = useCallback(
    (patch: Partial<GraphView>) => {
      const query = writeView({ ...view, ...patch });
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [view, router, pathname],
  );

  const workloads = useQuery(workloadsQuery());
  const meshNamespaces = useMemo(() => [...new Set((workloads.data ?? []).map((w) => w.namespace))].sort(), [workloads.data]);
  const namespaces = view.namespaces ?? meshNamespaces;
  const namespaceOptions = useMemo(() => [...new Set([...meshNamespaces, ...(view.namespaces ?? [])])].sort(), [meshNamespaces, view.namespaces]);
  const refresh = refreshMs(view.refresh);
  const params = graphQueryParams(view, namespaces);
  // p95 takes Prometheus seconds on a big mesh: the graph without it is fetched first and
  // drawn, and only then the graph with it (labels and find fill in when it comes), so the
  // two do not compete for Prometheus.
  const drawEarly = params.namespaces.length > 0 && drawsBeforeResponseTime(view);
  const early = useQuery({ ...graphQuery({ ...params, responseTime: false }, 0), enabled: drawEarly });
  const graph = useQuery({ ...graphQuery(params, refresh), enabled: params.namespaces.length > 0 && (!drawEarly || early.data !== undefined || early.isError) });
  const shown = graph.data ?? (drawEarly ? early.data : undefined);
  const shownAt = graph.data ? graph.dataUpdatedAt : early.dataUpdatedAt;

  const hidden = useMemo(() => {
    const g = shown?.graph;
    if (!g) return undefined;
    const parsed = view.hide ? parseFindHide(view.hide) : undefined;
    return parsed?.ok ? hideGraph(g, parsed.matcher) : g;
  }, [shown, view.hide]);
  const noNamespaces = namespaces.length === 0 && (view.namespaces !== undefined || workloads.isSuccess);
  const elements = useMemo(() => (noNamespaces ? NO_ELEMENTS : hidden ? toElements(hidden, namespaces.length) : undefined), [noNamespaces, hidden, namespaces.length]);
  const found = useMemo(() => (hidden ? foundIds(hidden, view.find) : new Set<string>()), [hidden, view.find]);
  const selection = useMemo(() => (elements ? selectionFor(elements, view.selected) : undefined), [elements, view.selected]);

  let state: CanvasState;
  if (noNamespaces) state = "empty";
  else if (graph.isError) state = "error";
  else if (!elements) state = "loading";
  else state = elements.nodes.length === 0 ? "empty" : "ready";

  const meta = shown?.meta;
  const status = meta
    ? `${elements?.nodes.filter((n) => n.nodeType !== "box").length ?? 0} nodes · ${elements?.edges.length ?? 0} edges · ${new Date(meta.queryTime * 1000).toLocaleTimeString()}${meta.cached ? " (cached)" : ""}`
    : graph.isFetching
      ? "Loading…"
      : "";
  const error = graph.error instanceof ApiFailure ? graph.error : undefined;

  return (
    <div className={styles.page}>
      <GraphToolbar
        view={view}
        namespaceOptions={namespaceOptions}
        namespaces={namespaces}
        onChange={setView}
        onRefresh={() => void graph.refetch()}
        refreshing={graph.isFetching}
        status={status}
      />
      <div className={styles.main}>
        <GraphCanvas
          elements={elements}
          receivedAt={shownAt}
          state={state}
          edgeLabel={view.edgeLabel}
          found={found}
          selected={view.selected}
          onSelect={(id) => {
            if (id !== view.selected) setView({ selected: id });
          }}
          footer={<GraphLegend />}
        >
          {state !== "ready" && state !== "loading" && (
            <GraphMessage
              kind={noNamespaces ? "noNamespaces" : state === "error" ? "error" : "noTraffic"}
              error={error ?? (graph.error as Error | null) ?? undefined}
              duration={view.duration}
              idleEdges={view.idleEdges}
              onShowIdle={() => setView({ idleEdges: true })}
              onLonger={() => setView({ duration: "1h" })}
              hiddenAll={!!shown && shown.graph.nodes.length > 0}
            />
          )}
          {status && (
            <div className={styles.caption} role="status" data-testid="graph-status">
              {status}
            </div>
          )}
          {state === "ready" && meta && meta.warnings.length > 0 && <div className={`banner banner-warning ${styles.warning}`}>{meta.warnings.join("; ")}</div>}
        </GraphCanvas>
        {selection ? (
          <SidePanel selection={selection} duration={view.duration} windowSeconds={WINDOW_SECONDS[view.duration] ?? 60} refreshMs={refresh} onClose={() => setView({ selected: undefined })} />
        ) : view.selected && elements && state === "ready" ? (
          <aside className={styles.panel} data-testid="side-panel-missing">
            <p className={styles.hint}>The selected element is not in the graph for this window.</p>
            <button type="button" onClick={() => setView({ selected: undefined })}>
              Clear selection
            </button>
          </aside>
        ) : null}
      </div>
    </div>
  );
}
