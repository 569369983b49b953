"use client";
import type { EdgeData, NodeData } from "@/client/graph/elements";
import { configParams, lookback, metricsParams, traceQuery, type Selection } from "@/client/graph/selection";
import { formatValue } from "@/components/charts/chart-scale";
import { BADGE_STYLE } from "./graph-overlay";
import { SideCharts, SideConfig, SideTraces } from "./side-sections";
import styles from "./graph.module.css";

const KIND: Record<NodeData["nodeType"], string> = { app: "App", workload: "Workload", service: "Service", unknown: "Outside the mesh", box: "Box" };

function nodeTitle(n: NodeData): string {
  return n.label.split("\n").join(" ");
}

function HealthBadge({ health }: { health: string }) {
  return <span className={`badge ${health === "na" ? "" : health}`}>{health === "na" ? "no requests" : health}</span>;
}

function NodeFacts({ node }: { node: NodeData }) {
  return (
    <dl className={styles.facts}>
      <dt>Namespace</dt>
      <dd>{node.namespace}</dd>
      {node.app && (
        <>
          <dt>App</dt>
          <dd>
            {node.app}
            {node.version ? ` ${node.version}` : ""}
          </dd>
        </>
      )}
      {node.workload && (
        <>
          <dt>Workload</dt>
          <dd>{node.workload}</dd>
        </>
      )}
      {node.service && (
        <>
          <dt>Service</dt>
          <dd>{node.service}</dd>
        </>
      )}
      <dt>Health</dt>
      <dd>
        <HealthBadge health={node.health} />
      </dd>
      <dt>Inbound</dt>
      <dd>
        {formatValue(node.rate, "req/s")}, {formatValue(node.errorRate, "%")} errors
      </dd>
      {node.badges.length > 0 && (
        <>
          <dt>Badges</dt>
          <dd className={styles.chipRow}>
            {node.badges.map((b) => (
              <span key={b} className={styles.chip} style={{ background: BADGE_STYLE[b]?.color ?? "#666" }} title={BADGE_STYLE[b]?.title}>
                {BADGE_STYLE[b]?.title ?? b}
              </span>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}

function EdgeFacts({ edge }: { edge: EdgeData }) {
  return (
    <dl className={styles.facts}>
      <dt>Protocol</dt>
      <dd>{edge.protocol}</dd>
      <dt>Health</dt>
      <dd>
        <HealthBadge health={edge.health} />
      </dd>
      <dt>Traffic</dt>
      <dd>
        {edge.labelRate || "none"}
        {edge.protocol !== "tcp" && `, ${formatValue(edge.errorRate, "%")} errors`}
      </dd>
      {edge.p95 !== undefined && (
        <>
          <dt>P95</dt>
          <dd>{formatValue(edge.p95, "ms")}</dd>
        </>
      )}
      <dt>mTLS</dt>
      <dd data-testid="side-mtls">{edge.isMTLS >= 100 ? "mutual TLS" : edge.isMTLS > 0 ? `${edge.isMTLS}% mutual TLS` : "plain text"}</dd>
    </dl>
  );
}

export interface SidePanelProps {
  selection: Selection;
  /** "5m": the chart window and trace lookback. */
  duration: string;
  windowSeconds: number;
  refreshMs: number;
  onClose: () => void;
}

/** Everything about the selected node or edge: facts, golden signals, applied config, traces. */
export function SidePanel({ selection, duration, windowSeconds, refreshMs, onClose }: SidePanelProps) {
  const isEdge = selection.kind === "edge";
  const title = isEdge ? `${nodeTitle(selection.source)} → ${nodeTitle(selection.target)}` : nodeTitle(selection.node);
  const kind = isEdge ? "Edge" : selection.node.nodeType === "box" ? (selection.node.box === "app" ? "App box" : "Namespace box") : KIND[selection.node.nodeType];
  const metrics = metricsParams(selection, duration);
  const box = !isEdge && selection.node.nodeType === "box";
  return (
    <aside className={styles.panel} data-testid="side-panel" aria-label={`${kind} ${title}`}>
      <div className={styles.panelHeader}>
        <div>
          <div className={styles.panelKind}>{kind}</div>
          <h2>{title}</h2>
        </div>
        <button type="button" className={styles.close} onClick={onClose} aria-label="Close the side panel">
          ×
        </button>
      </div>
      {isEdge ? <EdgeFacts edge={selection.edge} /> : <NodeFacts node={selection.node} />}
      {box ? (
        <p className={styles.hint}>A box groups the nodes of one {selection.node.box}; select a node or an edge inside it for its metrics, config and traces.</p>
      ) : (
        <>
          <section className={styles.section}>
            <h3>
              Golden signals{" "}
              <span className="muted" title="Inbound requests as the node's own proxy reports them (every attempt, retries included); edges and outbound requests as the caller's proxy reports them, as in the graph">
                (last {duration}
                {isEdge ? ", caller's view" : metrics?.direction === "outbound" ? ", outbound" : ", inbound"})
              </span>
            </h3>
            {metrics ? <SideCharts params={metrics} refreshMs={refreshMs} /> : <p className={styles.hint}>No metrics for this element.</p>}
          </section>
          <section className={styles.section}>
            <h3>Config that applies</h3>
            <SideConfig params={configParams(selection)} />
          </section>
          <section className={styles.section}>
            <h3>Traces</h3>
            <SideTraces query={traceQuery(selection)} lookback={lookback(windowSeconds)} />
          </section>
        </>
      )}
    </aside>
  );
}
