// The metrics generator's own process (forked by generator.ts, so rendering ~130 MB of
// text per scrape round never stalls the bench's timers): serves each namespace's Istio
// metrics on 127.0.0.1 as a scrape target, plus the `http_sd_configs` list of those
// targets, and grows the mesh when told. Exits when the bench goes away.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { IstioExposition } from "./exposition.ts";
import { meshGrowth, syntheticMesh, type GraphMeshPlan, type SyntheticWorkload } from "./synthetic-mesh.ts";

export type ToGenerator = { type: "start"; plan: GraphMeshPlan } | { type: "grow"; workloads: number; seed: number } | { type: "close" };

export type FromGenerator =
  | { type: "ready"; port: number; workloads: SyntheticWorkload[]; edges: number; series: ReturnType<IstioExposition["seriesCount"]>; targets: string[] }
  | { type: "grown"; workloads: SyntheticWorkload[]; edges: number; series: ReturnType<IstioExposition["seriesCount"]> }
  | { type: "error"; message: string };

const send = (m: FromGenerator) => process.send?.(m);
const now = () => Date.now() / 1000;

let exposition: IstioExposition | undefined;
let mesh: ReturnType<typeof syntheticMesh> | undefined;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://generator");
  if (url.pathname === "/sd" && exposition) {
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    // One target per namespace, like the sidecars of that namespace; `namespace` is the
    // target label a Kubernetes service discovery would add.
    const groups = exposition.targetNames().map((ns) => ({ targets: [address], labels: { __metrics_path__: `/metrics/${ns}`, namespace: ns } }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(groups));
    return;
  }
  const target = url.pathname.startsWith("/metrics/") ? url.pathname.slice("/metrics/".length) : undefined;
  const text = target && exposition?.render(target, now());
  if (text === undefined || text === "") {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text);
});

process.on("message", (m: ToGenerator) => {
  try {
    if (m.type === "start") {
      mesh = syntheticMesh(m.plan);
      exposition = new IstioExposition(now());
      exposition.add(mesh);
      const e = exposition;
      const meshNow = mesh;
      server.listen(0, "127.0.0.1", () =>
        send({ type: "ready", port: (server.address() as AddressInfo).port, workloads: meshNow.workloads, edges: meshNow.edges.length, series: e.seriesCount(), targets: e.targetNames() }),
      );
    } else if (m.type === "grow") {
      if (!mesh || !exposition) throw new Error("grow before start");
      const growth = meshGrowth(mesh, m.workloads, m.seed);
      exposition.add(growth, now());
      mesh = { workloads: [...mesh.workloads, ...growth.workloads], edges: [...mesh.edges, ...growth.edges] };
      send({ type: "grown", workloads: growth.workloads, edges: growth.edges.length, series: exposition.seriesCount() });
    } else if (m.type === "close") {
      server.close();
      process.disconnect();
    }
  } catch (e) {
    send({ type: "error", message: (e as Error).stack ?? String(e) });
  }
});

// Never outlive the bench.
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
