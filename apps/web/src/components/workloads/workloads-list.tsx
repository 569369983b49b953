"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import type { Resource } from "@skein/shared/browser";
import { resourcesQuery, workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { workloadMtls } from "@/server/overview/mtls";
import { proxyState } from "@/server/overview/summarize";
import { proxiesQuery } from "./mesh-queries";
import styles from "./workloads.module.css";

/** Every registered workload with its health, sidecar config state and mTLS mode; `?namespace=` filters. */
export function WorkloadsList() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const namespace = params.get("namespace") ?? "";
  const workloads = useQuery(workloadsQuery());
  const proxies = useQuery(proxiesQuery());
  const resources = useQuery(resourcesQuery());
  const overview = useQuery(overviewQuery());
  const namespaces = useMemo(() => [...new Set((workloads.data ?? []).map((w) => w.namespace))].sort(), [workloads.data]);
  const shown = (workloads.data ?? []).filter((w) => !namespace || w.namespace === namespace);

  return (
    <div className={styles.page}>
      <div className={styles.toolbar}>
        <h1>Workloads</h1>
        <label>
          Namespace
          <select value={namespace} onChange={(e) => router.replace(e.target.value ? `${pathname}?namespace=${encodeURIComponent(e.target.value)}` : pathname, { scroll: false })} data-testid="workloads-namespace">
            <option value="">All namespaces</option>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </div>
      {workloads.isError && <p className="error">Cannot list workloads: {(workloads.error as Error).message}</p>}
      <table className="grid" data-testid="workloads-table">
        <thead>
          <tr>
            <th>Workload</th>
            <th>Namespace</th>
            <th>App · version</th>
            <th>Service</th>
            <th>Health</th>
            <th>Sidecar config</th>
            <th>mTLS</th>
            <th>Identity</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((w) => {
            const proxy = proxies.data?.find((p) => p.namespace === w.namespace && p.workload === w.name);
            const state = proxyState(proxy);
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
                  <span className={`badge ${state === "acked" ? "healthy" : state === "pending" ? "degraded" : state === "unknown" ? "" : "failure"}`} title={proxy?.nack?.error}>
                    {state}
                  </span>
                </td>
                <td>{mtls ?? "…"}</td>
                <td className="mono">{proxy?.identity ?? "—"}</td>
              </tr>
            );
          })}
          {workloads.data && shown.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No workloads{namespace ? ` in ${namespace}` : ""}: none has registered with the control plane.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
