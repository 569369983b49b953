"use client";
/**
 * The one owner of the cytoscape instance. It receives plain element data and applies
 * each refresh as a diff (apply-diff.ts), so nodes keep their places; React renders only
 * the container, never an element. For browser tests and the benchmark the container is
 * `data-testid="graph"` with `data-state` (loading | ready | empty | error), `data-nodes`,
 * `data-edges` (drawn counts) and `data-render-ms` (data arrival to layout done), and the
 * instance is `window.__skeinCy` (`__skeinCy.$id(id).emit("tap")` selects like a click).
 */
import cytoscape, { type Core, type EventObject } from "cytoscape";
import fcose from "cytoscape-fcose";
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from "react";
import type { Position } from "@/client/graph/diff";
import { flattenBoxes, type Elements } from "@/client/graph/elements";
import type { EdgeLabel } from "@/client/graph/url-state";
import { applyElements, isLargeGraph } from "./apply-diff";
import { attachBoxUnderlay, attachOverlay } from "./graph-overlay";
import { graphStyle, isOverview } from "./graph-style";
import styles from "./graph.module.css";

declare global {
  interface Window {
    __skeinCy?: Core;
  }
}

let registered = false;
function registerExtensions() {
  if (registered) return;
  cytoscape.use(fcose);
  registered = true;
}

export type CanvasState = "loading" | "ready" | "empty" | "error";

export interface GraphCanvasProps {
  /** The elements to draw; undefined keeps what is drawn (loading, or an error over the last graph). */
  elements: Elements | undefined;
  /** Date.now() when `elements` arrived from the server. */
  receivedAt: number;
  state: CanvasState;
  edgeLabel: EdgeLabel;
  /** Ids the find expression matches. */
  found: ReadonlySet<string>;
  selected: string | undefined;
  onSelect: (id: string | undefined) => void;
  /** Shown over the canvas (empty and error states). */
  children?: ReactNode;
  /** Shown under the canvas (the legend). */
  footer?: ReactNode;
}

/** A comfortable zoom for small graphs: fit, but never blow a handful of nodes up to fill the screen. */
const MAX_FIT_ZOOM = 1.3;

export function GraphCanvas({ elements, receivedAt, state, edgeLabel, found, selected, onSelect, children, footer }: GraphCanvasProps) {
  const box = useRef<HTMLDivElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const underlay = useRef<HTMLCanvasElement>(null);
  const boxLayer = useRef<ReturnType<typeof attachBoxUnderlay> | undefined>(undefined);
  const cyRef = useRef<Core | undefined>(undefined);
  const remembered = useRef(new Map<string, Position>());
  const onSelectRef = useRef(onSelect);
  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    registerExtensions();
    const cy = cytoscape({
      container: box.current!,
      style: graphStyle("none"),
      minZoom: 0.03,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: false,
    });
    cyRef.current = cy;
    window.__skeinCy = cy;
    cy.on("tap", "node, edge", (e: EventObject) => onSelectRef.current(e.target.id() as string));
    cy.on("tap", (e: EventObject) => {
      if (e.target === cy) onSelectRef.current(undefined);
    });
    const detach = attachOverlay(cy, overlay.current!);
    boxLayer.current = attachBoxUnderlay(cy, underlay.current!);
    // Keep what was in the middle in the middle when the side panel opens or closes.
    let size = { w: box.current!.clientWidth, h: box.current!.clientHeight };
    const resize = new ResizeObserver(() => {
      const el = box.current;
      if (!el) return;
      const next = { w: el.clientWidth, h: el.clientHeight };
      cy.resize();
      if (size.w > 0 && size.h > 0) cy.panBy({ x: (next.w - size.w) / 2, y: (next.h - size.h) / 2 });
      size = next;
    });
    resize.observe(box.current!);
    return () => {
      resize.disconnect();
      detach();
      boxLayer.current?.detach();
      if (window.__skeinCy === cy) delete window.__skeinCy;
      cy.destroy();
      cyRef.current = undefined;
    };
  }, []);

  // Big graphs get the lean stylesheet and boxes drawn on the underlay, not as compound nodes.
  const lean = elements ? isLargeGraph(elements) : false;
  const drawn = useMemo(() => (elements ? { source: elements, ...(lean ? flattenBoxes(elements) : { elements, boxes: [] }) } : undefined), [elements, lean]);
  // The stylesheet in force; a big graph switches between overview and detail as the zoom
  // crosses DETAIL_ZOOM. Before anything is drawn a big graph starts as an overview (its
  // fitted zoom is far below), so its first styling is the cheap one.
  const sheet = useRef({ edgeLabel, lean, overview: false });
  const restyle = useCallback((next: { edgeLabel: EdgeLabel; lean: boolean }, force = false) => {
    const cy = cyRef.current;
    if (!cy) return;
    const overview = isOverview(next.lean, cy.zoom(), cy.elements().empty());
    const was = sheet.current;
    if (!force && was.edgeLabel === next.edgeLabel && was.lean === next.lean && was.overview === overview) return;
    sheet.current = { ...next, overview };
    cy.style(graphStyle(next.edgeLabel, next.lean, overview));
  }, []);
  useEffect(() => {
    restyle({ edgeLabel, lean }, true);
    const cy = cyRef.current;
    const onZoom = () => restyle({ edgeLabel, lean });
    cy?.on("zoom", onZoom);
    return () => {
      cy?.off("zoom", onZoom);
    };
  }, [edgeLabel, lean, restyle]);

  // The state the page reports; "ready" is only written once the graph has been painted.
  const stateRef = useRef(state);
  const painted = useRef<Elements | undefined>(undefined);

  useEffect(() => {
    const cy = cyRef.current;
    const el = box.current;
    if (!cy || !el || !drawn) return;
    // Renderer switches cytoscape only reads at start-up; set here because size is known only now.
    const renderer = (cy as unknown as { renderer(): { hideEdgesOnViewport: boolean; textureOnViewport: boolean } }).renderer();
    renderer.hideEdgesOnViewport = lean;
    renderer.textureOnViewport = lean;
    const result = applyElements(cy, drawn.elements, remembered.current, drawn.source);
    boxLayer.current?.setBoxes(drawn.boxes);
    if (result.fullLayout && cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
    // the fitted zoom decides between overview and detail
    restyle(sheet.current);
    // Cytoscape draws in its own animation frame; two frames on, the new graph is on screen.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        painted.current = drawn.source;
        el.dataset.nodes = String(result.nodes);
        el.dataset.edges = String(result.edges);
        el.dataset.renderMs = String(Math.max(0, Date.now() - receivedAt));
        el.dataset.state = stateRef.current;
      });
    });
    return () => cancelAnimationFrame(frame);
  }, [drawn, receivedAt, lean, restyle]);

  useEffect(() => {
    stateRef.current = state;
    const el = box.current;
    if (el && (state !== "ready" || painted.current === elements)) el.dataset.state = state;
  }, [state, elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements(".found").removeClass("found");
      for (const id of found) cy.$id(id).addClass("found");
    });
  }, [found, elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements(":selected").unselect();
      if (selected) cy.$id(selected).select();
    });
  }, [selected, elements]);

  return (
    <div className={styles.canvasFrame}>
      <div className={styles.canvasArea}>
        <canvas ref={underlay} className={styles.overlay} aria-hidden="true" />
        <div ref={box} className={styles.canvas} data-testid="graph" data-state="loading" data-nodes="0" data-edges="0" aria-label="Service graph" role="img" />
        <canvas ref={overlay} className={styles.overlay} aria-hidden="true" />
        {children}
      </div>
      {footer}
    </div>
  );
}
