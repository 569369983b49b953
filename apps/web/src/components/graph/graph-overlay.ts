/**
 * What cytoscape does not draw itself, painted on canvases over and under its own after each
 * cytoscape frame: a padlock at the middle of every edge that carried mutual TLS, and
 * Kiali's node badges (VirtualService, circuit breaker, fault injection, missing sidecar)
 * as small chips at a node's top right. Vector shapes rather than icon-font glyphs, so
 * they look the same on a machine without emoji or icon fonts. Below a zoom where they
 * would be specks nothing is drawn, which also keeps a zoomed-out 3,000-edge graph cheap.
 */
import type { Core, EdgeSingular, NodeSingular } from "cytoscape";
import type { BoxOutline } from "@/client/graph/elements";
import { DETAIL_ZOOM } from "./graph-style";

export const BADGE_STYLE: Record<string, { text: string; color: string; title: string }> = {
  virtualService: { text: "VS", color: "#2563eb", title: "Has a VirtualService" },
  circuitBreaker: { text: "CB", color: "#7c3aed", title: "Circuit breaker (connection pool or outlier detection)" },
  faultInjection: { text: "FI", color: "#d9480f", title: "Fault injection" },
  missingSidecar: { text: "!", color: "#c9190b", title: "A workload without a connected sidecar" },
};


/** Draws a padlock centred on (x, y), `s` pixels tall. */
export function drawLock(ctx: CanvasRenderingContext2D, x: number, y: number, s: number, partial: boolean): void {
  const w = s * 0.78;
  const bodyH = s * 0.55;
  const top = y - s / 2;
  ctx.save();
  // a white halo keeps the lock readable on top of the edge line
  ctx.fillStyle = "#ffffff";
  ctx.beginPath();
  ctx.arc(x, y, s * 0.72, 0, 2 * Math.PI);
  ctx.fill();
  ctx.strokeStyle = partial ? "#8a6500" : "#1d2430";
  ctx.fillStyle = partial ? "#b58400" : "#1d2430";
  ctx.lineWidth = Math.max(1.2, s * 0.13);
  ctx.beginPath();
  ctx.arc(x, top + s * 0.42, w * 0.3, Math.PI, 0);
  ctx.lineTo(x + w * 0.3, top + s * 0.5);
  ctx.moveTo(x - w * 0.3, top + s * 0.42);
  ctx.lineTo(x - w * 0.3, top + s * 0.5);
  ctx.stroke();
  ctx.beginPath();
  ctx.roundRect(x - w / 2, top + s * 0.45, w, bodyH, s * 0.08);
  ctx.fill();
  ctx.restore();
}

function drawBadges(ctx: CanvasRenderingContext2D, node: NodeSingular, zoom: number): void {
  const badges = node.data("badges") as string[] | undefined;
  if (!badges || badges.length === 0) return;
  const bb = node.renderedBoundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false });
  const r = Math.min(9, Math.max(6, 7 * zoom));
  let x = bb.x2 - r * 0.3;
  const y = bb.y1 + r * 0.2;
  ctx.save();
  ctx.font = `bold ${Math.round(r * 1.05)}px system-ui, "DejaVu Sans", sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (const b of badges) {
    const style = BADGE_STYLE[b];
    if (!style) continue;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = style.color;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.fillStyle = "#ffffff";
    ctx.fillText(style.text, x, y + 0.5);
    x += r * 1.8;
  }
  ctx.restore();
}

/** The canvas's 2D context sized to its box at the device pixel ratio, cleared; in CSS pixels. */
function clearedFrame(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } | undefined {
  const ctx = canvas.getContext("2d");
  if (!ctx) return undefined;
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Paints the overlay after every cytoscape frame; returns the function that detaches it. */
export function attachOverlay(cy: Core, canvas: HTMLCanvasElement): () => void {
  // Painted in cytoscape's own frame (it renders at most once per animation frame), so the
  // icons never lag behind a pan or zoom.
  const paint = () => {
    const frame = clearedFrame(canvas);
    if (!frame) return;
    const { ctx, w, h } = frame;
    const zoom = cy.zoom();
    if (zoom < DETAIL_ZOOM) return;
    const size = Math.min(13, Math.max(8, 10 * zoom));
    cy.edges().forEach((e: EdgeSingular) => {
      const mtls = e.data("isMTLS") as number;
      if (!(mtls > 0) || !e.visible()) return;
      const p = e.renderedMidpoint();
      if (p.x < -20 || p.y < -20 || p.x > w + 20 || p.y > h + 20) return;
      drawLock(ctx, p.x, p.y, size, mtls < 100);
    });
    cy.nodes().forEach((n: NodeSingular) => {
      if (n.visible()) drawBadges(ctx, n, zoom);
    });
  };
  cy.on("render", paint);
  paint();
  return () => {
    cy.off("render", paint);
  };
}

const BOX_PAD = { app: 26, namespace: 44 } as const;

/**
 * Paints big graphs' boxes (see flattenBoxes) under the cytoscape canvas after every
 * cytoscape frame: a rounded rectangle around each box's members with its name on top,
 * namespaces first so app boxes sit on them.
 */
export function attachBoxUnderlay(cy: Core, canvas: HTMLCanvasElement): { setBoxes(boxes: readonly BoxOutline[]): void; detach(): void } {
  let boxes: readonly BoxOutline[] = [];
  const paint = () => {
    const frame = clearedFrame(canvas);
    if (!frame) return;
    const { ctx, w, h } = frame;
    if (boxes.length === 0) return;
    const zoom = cy.zoom();
    const pan = cy.pan();
    const positions = new Map<string, { x: number; y: number }>();
    cy.nodes().forEach((n: NodeSingular) => {
      positions.set(n.id(), n.position());
    });
    for (const kind of ["namespace", "app"] as const) {
      for (const b of boxes) {
        if (b.box !== kind) continue;
        let x1 = Infinity;
        let y1 = Infinity;
        let x2 = -Infinity;
        let y2 = -Infinity;
        for (const id of b.members) {
          const p = positions.get(id);
          if (!p) continue;
          x1 = Math.min(x1, p.x);
          y1 = Math.min(y1, p.y);
          x2 = Math.max(x2, p.x);
          y2 = Math.max(y2, p.y);
        }
        if (x1 === Infinity) continue;
        const pad = BOX_PAD[kind];
        const rx = (x1 - pad) * zoom + pan.x;
        const ry = (y1 - pad) * zoom + pan.y;
        const rw = (x2 - x1 + 2 * pad) * zoom;
        const rh = (y2 - y1 + 2 * pad) * zoom;
        if (rx > w || ry > h || rx + rw < 0 || ry + rh < 0) continue;
        ctx.beginPath();
        ctx.roundRect(rx, ry, rw, rh, Math.min(8, 8 * zoom + 2));
        ctx.fillStyle = kind === "namespace" ? "#fbfbfd" : "rgba(244,246,250,0.8)";
        ctx.fill();
        ctx.setLineDash(kind === "app" ? [4, 3] : []);
        ctx.lineWidth = kind === "namespace" ? 1.5 : 1;
        ctx.strokeStyle = kind === "namespace" ? "#8796ad" : "#9fb0c8";
        ctx.stroke();
        // a namespace keeps a readable name however far out the view is; an app's shows up close
        const font = kind === "namespace" ? Math.max(11, 13 * zoom) : 11.5 * zoom;
        if (font >= 6) {
          ctx.setLineDash([]);
          ctx.font = `bold ${font}px system-ui, "DejaVu Sans", sans-serif`;
          ctx.fillStyle = "#4a5a70";
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          ctx.fillText(b.label, rx + rw / 2, ry - 2);
        }
      }
    }
    ctx.setLineDash([]);
  };
  cy.on("render", paint);
  return {
    setBoxes(next) {
      boxes = next;
      paint();
    },
    detach() {
      cy.off("render", paint);
    },
  };
}
