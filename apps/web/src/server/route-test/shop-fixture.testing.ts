import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { meshSchema, parseYamlFile, validateSources, type Resource, type Workload } from "@skein/shared/browser";
import type { MeshState } from "./mesh-compiler";

const SHOP_FILE = fileURLToPath(new URL("../../../../mesh/demo/shop.yaml", import.meta.url));

/**
 * The demo's shop as the control plane holds it after `skein up -f shop.yaml`: its Istio
 * documents as stored resources, and each workload registered the way `skein up` starts
 * its sidecar (labels with `app`, the service port named `http-<port>`, an inbound port).
 */
export function shopMesh(extra: readonly Resource[] = [], extraWorkloads: readonly Workload[] = []): MeshState {
  const text = readFileSync(SHOP_FILE, "utf8");
  const report = validateSources([{ file: "shop.yaml", text }]);
  if (report.errors > 0) throw new Error(`shop.yaml does not validate: ${JSON.stringify(report.files.flatMap((f) => f.diagnostics))}`);
  const mesh = meshSchema.parse(parseYamlFile("shop.yaml", text).documents.find((d) => (d.value as { kind?: unknown }).kind === "Mesh")!.value);
  const istio = report.resources.filter((r) => r.family === "istio").map((r) => r.resource);
  const workloads: Workload[] = mesh.spec.workloads.map((w, i) => {
    const protocol = w.service?.protocol ?? "HTTP";
    return {
      name: w.name,
      namespace: w.namespace,
      serviceAccount: w.serviceAccount ?? w.name,
      labels: { app: w.service?.name ?? w.name, ...w.labels },
      ...(w.service ? { service: { name: w.service.name, ports: [{ port: w.service.port, name: `${protocol.toLowerCase()}-${w.service.port}`, protocol }] } } : {}),
      address: "127.0.0.1",
      inboundPort: 15101 + i * 4,
      metricsPort: 15103 + i * 4,
    };
  });
  const replaced = new Set(extra.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`));
  return { resources: [...istio.filter((r) => !replaced.has(`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`)), ...extra], workloads: [...workloads, ...extraWorkloads], trustDomain: "cluster.local" };
}

/** Istio resources from YAML, as the control plane stores them once they pass validation. */
export function istio(yaml: string): Resource[] {
  const report = validateSources([{ file: "extra.yaml", text: yaml }]);
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`extra resources do not validate: ${errors.map((d) => `${d.line}: ${d.message}`).join("; ")}`);
  return report.resources.map((r) => r.resource);
}
