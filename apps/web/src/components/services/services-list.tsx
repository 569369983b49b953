"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { RegistryList, useNamespaceFilter } from "@/components/workloads/registry-list";
import { servicesOf, versionsOf } from "./service-inventory";

/** Every service in the registry with its health and versions; `?namespace=` filters. */
export function ServicesList() {
  const [namespace, setNamespace] = useNamespaceFilter();
  const workloads = useQuery(workloadsQuery());
  const overview = useQuery(overviewQuery());
  const services = useMemo(() => servicesOf(workloads.data ?? []), [workloads.data]);
  const namespaces = [...new Set(services.map((s) => s.namespace))].sort();
  const shown = services.filter((s) => !namespace || s.namespace === namespace);

  return (
    <RegistryList
      title="Services"
      testId="services"
      namespace={namespace}
      namespaces={namespaces}
      onNamespace={setNamespace}
      error={workloads.error}
      columns={["Service", "Namespace", "Health", "Versions", "Ports", "Host"]}
      empty={workloads.data && shown.length === 0 && `No services${namespace ? ` in ${namespace}` : ""}: no registered workload names one.`}
    >
      {shown.map((s) => (
        <tr key={`${s.namespace}/${s.name}`} data-testid="service-row">
          <td>
            <Link href={`/services/${s.namespace}/${s.name}`}>{s.name}</Link>
          </td>
          <td>{s.namespace}</td>
          <td>{overview.data?.health ? <HealthBadge health={overview.data.health.services[`${s.namespace}/${s.name}`]} /> : <span className="muted">…</span>}</td>
          <td>
            {versionsOf(s)
              .map((v) => v.version || "(none)")
              .join(", ")}
          </td>
          <td>{s.ports.map((p) => `${p.number}/${p.protocol}`).join(", ")}</td>
          <td className="mono">{s.host}</td>
        </tr>
      ))}
    </RegistryList>
  );
}
