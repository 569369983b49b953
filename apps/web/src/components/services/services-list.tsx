"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import styles from "@/components/workloads/workloads.module.css";
import { servicesOf, versionsOf } from "./service-inventory";

/** Every service in the registry with its health and versions; `?namespace=` filters. */
export function ServicesList() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const namespace = params.get("namespace") ?? "";
  const workloads = useQuery(workloadsQuery());
  const overview = useQuery(overviewQuery());
  const services = useMemo(() => servicesOf(workloads.data ?? []), [workloads.data]);
  const namespaces = [...new Set(services.map((s) => s.namespace))].sort();
  const shown = services.filter((s) => !namespace || s.namespace === namespace);

  return (
    <div className={styles.page}>
      <div className={styles.toolbar}>
        <h1>Services</h1>
        <label>
          Namespace
          <select value={namespace} onChange={(e) => router.replace(e.target.value ? `${pathname}?namespace=${encodeURIComponent(e.target.value)}` : pathname, { scroll: false })} data-testid="services-namespace">
            <option value="">All namespaces</option>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </div>
      {workloads.isError && <p className="error">Cannot list services: {(workloads.error as Error).message}</p>}
      <table className="grid" data-testid="services-table">
        <thead>
          <tr>
            <th>Service</th>
            <th>Namespace</th>
            <th>Health</th>
            <th>Versions</th>
            <th>Ports</th>
            <th>Host</th>
          </tr>
        </thead>
        <tbody>
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
          {workloads.data && shown.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No services{namespace ? ` in ${namespace}` : ""}: no registered workload names one.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
