import type { Resource } from "../model/resource.ts";
import { validateSources } from "../validate/validate.ts";
import type { RegistryService } from "./registry.ts";
import type { WorkloadIdentity } from "./snapshot.ts";

/** Validated resources from YAML; throws on any error, so a fixture cannot be silently wrong. */
export function load(yaml: string): Resource[] {
  const report = validateSources([{ file: "t.yaml", text: yaml }]);
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  return report.resources.filter((l) => l.family === "istio").map((l) => l.resource);
}

/** A registry service with two endpoints (v1, v2) that selects its workloads by `app`, as the control plane's registry lists one. */
export function service(name: string, namespace: string, port = 9080): RegistryService {
  const endpoint = (version: string, at: number) => ({ address: "127.0.0.1", ports: { http: at }, labels: { app: name, version }, workload: `${name}-${version}`, namespace, serviceAccount: name, sidecar: true, weight: 1 });
  return {
    host: `${name}.${namespace}.svc.cluster.local`,
    name,
    namespace,
    ports: [{ number: port, name: "http", protocol: "http" }],
    endpoints: [endpoint("v1", 7001), endpoint("v2", 7002)],
    selector: { app: name },
    external: false,
  };
}

export function workload(name: string, namespace: string, labels: Record<string, string>, serviceAccount = labels.app ?? name): WorkloadIdentity {
  return { name, namespace, serviceAccount, labels, trustDomain: "cluster.local", spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${serviceAccount}` };
}
