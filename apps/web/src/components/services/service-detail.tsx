"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { AppliedConfig } from "@/components/workloads/applied-config";
import { GoldenSignals } from "@/components/workloads/golden-signals";
import { DETAIL_WINDOWS, proxiesQuery } from "@/components/workloads/mesh-queries";
import styles from "@/components/workloads/workloads.module.css";
import { proxyState } from "@/server/overview/summarize";
import { servicesOf, versionsOf } from "./service-inventory";

/** One service: health, inbound and outbound golden signals, its versions with their sidecars, and the config that applies. */
export function ServiceDetail({ namespace, name }: { namespace: string; name: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const duration = (DETAIL_WINDOWS as readonly string[]).includes(params.get("duration") ?? "") ? params.get("duration")! : "10m";
  const workloads = useQuery(workloadsQuery());
  const proxies = useQuery(proxiesQuery());
  const overview = useQuery(overviewQuery());
  const service = useMemo(() => servicesOf(workloads.data ?? []).find((s) => s.namespace === namespace && s.name === name), [workloads.data, namespace, name]);

  if (workloads.isLoading) return <p className="muted">Loading…</p>;
  if (workloads.isError) return <p className="error">Cannot list services: {(workloads.error as Error).message}</p>;
  if (!service) {
    return (
      <div className={styles.page}>
        <p className={styles.crumbs}>
          <Link href="/services">← Services</Link>
        </p>
        <p className="error" role="alert">
          No service {namespace}/{name}: no registered workload in {namespace} names it.
        </p>
      </div>
    );
  }
  const health = overview.data?.health?.services[`${namespace}/${name}`];
  const app = service.selector.app;
  return (
    <div className={styles.page}>
      <p className={styles.crumbs}>
        <Link href={`/services?namespace=${encodeURIComponent(namespace)}`}>← Services</Link>
      </p>
      <div className={styles.toolbar}>
        <h1>
          {name} <span className="muted">{namespace}</span>
        </h1>
        <span style={{ flex: 1 }} />
        <Link href={`/route-tester?host=${encodeURIComponent(`${name}.${namespace}:${service.ports[0]?.number ?? 80}`)}`}>Test a route to it</Link>
        <label>
          Window
          <select value={duration} onChange={(e) => router.replace(`${pathname}?duration=${e.target.value}`, { scroll: false })}>
            {DETAIL_WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
      </div>
      <div className={styles.twoCols}>
        <section className="panel" data-testid="service-health" data-health={health?.status ?? "idle"} aria-label="Health">
          <h2>Health</h2>
          <p>
            <HealthBadge health={health} />
          </p>
          <dl className={styles.facts}>
            <dt>Requests</dt>
            <dd>{health && health.requestRate > 0 ? `${health.requestRate.toFixed(2)} req/s over the last ${overview.data?.duration}` : "none in the window"}</dd>
            <dt>Errors</dt>
            <dd>{health && health.requestRate > 0 ? `${health.errorRate.toFixed(2)}%` : "—"}</dd>
            <dt>Host</dt>
            <dd className="mono">{service.host}</dd>
            <dt>Ports</dt>
            <dd>{service.ports.map((p) => `${p.number} (${p.name}, ${p.protocol})`).join(", ")}</dd>
            <dt>Selector</dt>
            <dd className={styles.labels}>
              {Object.entries(service.selector).map(([k, v]) => (
                <span key={k} className={styles.label}>
                  {k}={v}
                </span>
              ))}
            </dd>
          </dl>
        </section>
        <section className="panel" data-testid="service-versions" aria-label="Versions">
          <h2>Versions</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>Version</th>
                <th>Workload</th>
                <th>Health</th>
                <th>Sidecar config</th>
              </tr>
            </thead>
            <tbody>
              {versionsOf(service).flatMap((v) =>
                v.workloads.map((w) => {
                  const state = proxyState(proxies.data?.find((p) => p.namespace === w.namespace && p.workload === w.name));
                  return (
                    <tr key={w.name} data-testid="service-version" data-version={v.version}>
                      <td>{v.version || <span className="muted">(no version label)</span>}</td>
                      <td>
                        <Link href={`/workloads/${w.namespace}/${w.name}`}>{w.name}</Link>
                      </td>
                      <td>{overview.data?.health ? <HealthBadge health={overview.data.health.workloads[`${w.namespace}/${w.name}`]} /> : "…"}</td>
                      <td>
                        <span className={`badge ${state === "acked" ? "healthy" : state === "pending" ? "degraded" : state === "unknown" ? "" : "failure"}`}>{state}</span>
                      </td>
                    </tr>
                  );
                }),
              )}
            </tbody>
          </table>
        </section>
      </div>
      <GoldenSignals title="Inbound requests" params={{ namespace, service: name, duration }} testId="service-inbound" />
      {app ? (
        <GoldenSignals title={`Outbound requests (from the ${app} app's workloads)`} params={{ namespace, app, direction: "outbound", duration }} testId="service-outbound" />
      ) : (
        <p className="muted">The workloads behind this service share no app label, so their outbound requests cannot be gathered.</p>
      )}
      <AppliedConfig params={{ namespace, service: name }} testId="service-config" />
    </div>
  );
}
