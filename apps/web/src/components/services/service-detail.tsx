"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { GridTable } from "@/components/ui/grid-table";
import { AppliedConfig } from "@/components/workloads/applied-config";
import { DetailHeader, DetailPage, DetailUnavailable, LabelChips, useDetailWindow } from "@/components/workloads/detail-page";
import { GoldenSignals } from "@/components/workloads/golden-signals";
import { proxiesQuery, proxyOf } from "@/components/workloads/mesh-queries";
import { ProxyStateBadge } from "@/components/workloads/proxy-panel";
import styles from "@/components/workloads/workloads.module.css";
import { proxyState } from "@/server/overview/summarize";
import { servicesOf, versionsOf } from "./service-inventory";

/** One service: health, inbound and outbound golden signals, its versions with their sidecars, and the config that applies. */
export function ServiceDetail({ namespace, name }: { namespace: string; name: string }) {
  const [duration, setDuration] = useDetailWindow();
  const workloads = useQuery(workloadsQuery());
  const proxies = useQuery(proxiesQuery());
  const overview = useQuery(overviewQuery());
  const service = useMemo(() => servicesOf(workloads.data ?? []).find((s) => s.namespace === namespace && s.name === name), [workloads.data, namespace, name]);

  if (workloads.isLoading || workloads.isError || !service) {
    return <DetailUnavailable list="Services" registry={workloads} missing={`No service ${namespace}/${name}: no registered workload in ${namespace} names it.`} />;
  }
  const health = overview.data?.health?.services[`${namespace}/${name}`];
  const app = service.selector.app;
  return (
    <DetailPage list="Services" namespace={namespace}>
      <DetailHeader
        name={name}
        namespace={namespace}
        actions={<Link href={`/route-tester?host=${encodeURIComponent(`${name}.${namespace}:${service.ports[0]?.number ?? 80}`)}`}>Test a route to it</Link>}
        duration={duration}
        onDuration={setDuration}
      />
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
            <LabelChips labels={service.selector} />
          </dl>
        </section>
        <section className="panel" data-testid="service-versions" aria-label="Versions">
          <h2>Versions</h2>
          <GridTable columns={["Version", "Workload", "Health", "Sidecar config"]}>
            {versionsOf(service).flatMap((v) =>
              v.workloads.map((w) => (
                <tr key={w.name} data-testid="service-version" data-version={v.version}>
                  <td>{v.version || <span className="muted">(no version label)</span>}</td>
                  <td>
                    <Link href={`/workloads/${w.namespace}/${w.name}`}>{w.name}</Link>
                  </td>
                  <td>{overview.data?.health ? <HealthBadge health={overview.data.health.workloads[`${w.namespace}/${w.name}`]} /> : "…"}</td>
                  <td>
                    <ProxyStateBadge state={proxyState(proxyOf(proxies.data, w.namespace, w.name))} />
                  </td>
                </tr>
              )),
            )}
          </GridTable>
        </section>
      </div>
      <GoldenSignals title="Inbound requests" params={{ namespace, service: name, duration }} testId="service-inbound" />
      {app ? (
        <GoldenSignals title={`Outbound requests (from the ${app} app's workloads)`} params={{ namespace, app, direction: "outbound", duration }} testId="service-outbound" />
      ) : (
        <p className="muted">The workloads behind this service share no app label, so their outbound requests cannot be gathered.</p>
      )}
      <AppliedConfig params={{ namespace, service: name }} testId="service-config" />
    </DetailPage>
  );
}
