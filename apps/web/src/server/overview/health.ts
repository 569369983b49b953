/**
 * Request health per app, workload and service from Istio's standard metrics, judged with
 * Kiali's default tolerances by the graph's own `requestHealth`: inbound requests as the
 * destination's proxy reports them; a workload that only sends is healthy, not idle, as
 * the graph judges it.
 */
import { requestHealth, responseKey, type Health, type PromSample } from "@skein/shared/browser";

const INBOUND_BY = "destination_workload_namespace,destination_workload,destination_app,destination_service_namespace,destination_service_name,request_protocol,response_code,grpc_response_status";
const OUTBOUND_BY = "source_workload_namespace,source_workload,source_app";

export function healthQueries(duration: string): { inbound: string; outbound: string } {
  return {
    inbound: `sum by (${INBOUND_BY}) (rate(istio_requests_total{reporter="destination"}[${duration}]))`,
    outbound: `sum by (${OUTBOUND_BY}) (rate(istio_requests_total{reporter="source"}[${duration}]))`,
  };
}

/** Health by `namespace/name`. */
export interface HealthIndex {
  apps: Record<string, Health>;
  workloads: Record<string, Health>;
  services: Record<string, Health>;
}

const ok = (v: string | undefined): v is string => v !== undefined && v !== "" && v !== "unknown";

function add(into: Map<string, Record<string, number>>, key: string, response: string, rate: number): void {
  let r = into.get(key);
  if (!r) into.set(key, (r = {}));
  r[response] = (r[response] ?? 0) + rate;
}

export function healthIndex(inbound: readonly PromSample[], outbound: readonly PromSample[]): HealthIndex {
  const apps = new Map<string, Record<string, number>>();
  const workloads = new Map<string, Record<string, number>>();
  const services = new Map<string, Record<string, number>>();
  for (const s of inbound) {
    const m = s.metric;
    const rate = Number(s.value[1]);
    if (!Number.isFinite(rate)) continue;
    const protocol = m.request_protocol === "grpc" ? "grpc" : "http";
    const response = responseKey(protocol, m.response_code ?? "", m.grpc_response_status ?? "");
    const ns = m.destination_workload_namespace;
    if (ok(ns) && ok(m.destination_app)) add(apps, `${ns}/${m.destination_app}`, response, rate);
    if (ok(ns) && ok(m.destination_workload)) add(workloads, `${ns}/${m.destination_workload}`, response, rate);
    if (ok(m.destination_service_namespace) && ok(m.destination_service_name)) add(services, `${m.destination_service_namespace}/${m.destination_service_name}`, response, rate);
  }
  const judge = (m: Map<string, Record<string, number>>) => Object.fromEntries([...m].map(([k, r]) => [k, requestHealth(r)]));
  const out: HealthIndex = { apps: judge(apps), workloads: judge(workloads), services: judge(services) };
  for (const s of outbound) {
    const m = s.metric;
    if (!(Number(s.value[1]) > 0) || !ok(m.source_workload_namespace)) continue;
    const sender: Health = { status: "healthy", errorRate: 0, requestRate: 0 };
    if (ok(m.source_app)) out.apps[`${m.source_workload_namespace}/${m.source_app}`] ??= sender;
    if (ok(m.source_workload)) out.workloads[`${m.source_workload_namespace}/${m.source_workload}`] ??= sender;
  }
  return out;
}
