"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import type { Resource } from "@skein/shared/browser";
import { resourcesQuery, workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { workloadMtls } from "@/server/overview/mtls";
import { proxyState } from "@/server/overview/summarize";
import { proxiesQuery, proxyOf } from "./mesh-queries";
import { ProxyStateBadge } from "./proxy-panel";
import { RegistryList, useNamespaceFilter } from "./registry-list";

/** Every registered workload with its health, sidecar config state and mTLS mode; `?namespace=` filters. */
export function WorkloadsList() {
  const [namespace, setNamespace] = useNamespaceFilter();
  const workloads = useQuery(workloadsQuery());
  const proxies = useQuery(proxiesQuery());
  const resources = useQuery(resourcesQuery());
  const overview = useQuery(overviewQuery());
  const namespaces = useMemo(() => [...new Set((workloads.data ?? []).map((w) => w.namespace))].sort(), [workloads.data]);
  const shown = (workloads.data ?? []).filter((w) => !namespace || w.namespace === namespace);

  return (
    <RegistryList
      title="Workloads"
      testId="workloads"
      namespace={namespace}
      namespaces={namespaces}
      onNamespace={setNamespace}
      error={workloads.error}
      columns={["Workload", "Namespace", "App · version", "Service", "Health", "Sidecar config", "mTLS", "Identity"]}
      empty={workloads.data && shown.length === 0 && `No workloads${namespace ? ` in ${namespace}` : ""}: none has registered with the control plane.`}
    >
      {shown.map((w) => {
        const proxy = proxyOf(proxies.data, w.namespace, w.name);
        const mtls = resources.data ? workloadMtls(resources.data as Resource[], w).mode : undefined;
        return (
          <tr key={`${w.namespace}/${w.name}`} data-testid="workload-row">
            <td>
              <Link href={`/workloads/${w.namespace}/${w.name}`}>{w.name}</Link>
            </td>
            <td>{w.namespace}</td>
            <td>
              {w.labels.app ?? "—"}
              {w.labels.version ? ` · ${w.labels.version}` : ""}
            </td>
            <td>{w.service ? <Link href={`/services/${w.namespace}/${w.service.name}`}>{w.service.name}</Link> : <span className="muted">—</span>}</td>
            <td>{overview.data?.health ? <HealthBadge health={overview.data.health.workloads[`${w.namespace}/${w.name}`]} /> : <span className="muted">…</span>}</td>
            <td>
              <ProxyStateBadge state={proxyState(proxy)} title={proxy?.nack?.error} />
            </td>
            <td>{mtls ?? "…"}</td>
            <td className="mono">{proxy?.identity ?? "—"}</td>
          </tr>
        );
      })}
    </RegistryList>
  );
}
