"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import type { Resource } from "@skein/shared/browser";
import { resourcesQuery, workloadsQuery } from "@/client/config/queries";
import { HealthBadge } from "@/components/overview/health-badge";
import { overviewQuery } from "@/components/overview/overview-query";
import { workloadMtls } from "@/server/overview/mtls";
import { AppliedConfig } from "./applied-config";
import { DetailHeader, DetailPage, DetailUnavailable, LabelChips, useDetailWindow } from "./detail-page";
import { GoldenSignals } from "./golden-signals";
import { proxiesQuery, proxyOf } from "./mesh-queries";
import { ProxyPanel } from "./proxy-panel";
import styles from "./workloads.module.css";

/** One workload: health, golden signals both ways, its sidecar's config state, identity, mTLS, and the config that applies. */
export function WorkloadDetail({ namespace, name }: { namespace: string; name: string }) {
  const [duration, setDuration] = useDetailWindow();
  const workloads = useQuery(workloadsQuery());
  const proxies = useQuery(proxiesQuery());
  const resources = useQuery(resourcesQuery());
  const overview = useQuery(overviewQuery());
  const workload = workloads.data?.find((w) => w.namespace === namespace && w.name === name);
  const proxy = proxyOf(proxies.data, namespace, name);
  const mtls = useMemo(() => (workload && resources.data ? workloadMtls(resources.data as Resource[], workload) : undefined), [workload, resources.data]);

  if (workloads.isLoading || workloads.isError || !workload) {
    return <DetailUnavailable list="Workloads" registry={workloads} missing={`No workload ${namespace}/${name} is registered with the control plane. It may have stopped (a workload leaves the registry a little after its sidecar disconnects).`} />;
  }
  const spiffeId = proxy?.identity ?? `spiffe://cluster.local/ns/${namespace}/sa/${workload.serviceAccount}`;
  const base = { namespace, workload: name, duration };
  return (
    <DetailPage list="Workloads" namespace={namespace}>
      <DetailHeader name={name} namespace={namespace} badge={<HealthBadge health={overview.data?.health?.workloads[`${namespace}/${name}`]} testId="workload-health" />} duration={duration} onDuration={setDuration} />
      <div className={styles.twoCols}>
        <section className="panel" aria-label="Workload">
          <h2>Workload</h2>
          <dl className={styles.facts}>
            <dt>Labels</dt>
            <LabelChips labels={workload.labels} />
            <dt>Service</dt>
            <dd>{workload.service ? <Link href={`/services/${namespace}/${workload.service.name}`}>{workload.service.name}</Link> : <span className="muted">none (a client only)</span>}</dd>
            <dt>Ports</dt>
            <dd>{workload.service?.ports.map((p) => `${p.port}/${p.name}`).join(", ") || "—"}</dd>
            <dt>Address</dt>
            <dd className="mono">
              {workload.address}
              {workload.inboundPort !== undefined ? `:${workload.inboundPort} (sidecar inbound)` : ""}
            </dd>
          </dl>
        </section>
        <section className="panel" data-testid="workload-identity" aria-label="Identity">
          <h2>Identity</h2>
          <dl className={styles.facts}>
            <dt>SPIFFE ID</dt>
            <dd className="mono" data-testid="workload-spiffe-id">
              {spiffeId}
            </dd>
            <dt>Service account</dt>
            <dd>{workload.serviceAccount}</dd>
            <dt>Certificate</dt>
            <dd>{proxy?.certificateExpiry ? `valid until ${new Date(proxy.certificateExpiry).toLocaleString()}` : <span className="muted">no certificate issued yet</span>}</dd>
          </dl>
        </section>
        <section className="panel" data-testid="workload-mtls" data-mode={mtls?.mode} aria-label="mTLS">
          <h2>mTLS</h2>
          {!mtls ? (
            <p className="muted">{resources.isError ? `Cannot read PeerAuthentications: ${(resources.error as Error).message}` : "Loading…"}</p>
          ) : (
            <>
              <p>
                <span className={`badge ${mtls.mode === "STRICT" ? "healthy" : mtls.mode === "DISABLE" ? "failure" : "degraded"}`}>{mtls.mode}</span>{" "}
                {mtls.mode === "STRICT" ? "only mutual TLS from mesh sidecars is accepted" : mtls.mode === "PERMISSIVE" ? "mutual TLS and plaintext are both accepted" : "plaintext only"}
              </p>
              <p className="muted">
                {mtls.policy ? (
                  <>
                    Set by {mtls.level === "workload" ? "the workload's" : mtls.level === "namespace" ? "the namespace's" : "the mesh-wide"} PeerAuthentication{" "}
                    <Link href={`/config/PeerAuthentication/${mtls.policy.namespace}/${mtls.policy.name}`}>
                      {mtls.policy.namespace}/{mtls.policy.name}
                    </Link>
                  </>
                ) : (
                  "No PeerAuthentication applies: Istio's default."
                )}
                {Object.keys(mtls.portLevel).length > 0 &&
                  ` Port overrides: ${Object.entries(mtls.portLevel)
                    .map(([p, m]) => `${p}: ${m}`)
                    .join(", ")}.`}
              </p>
            </>
          )}
        </section>
        <ProxyPanel proxy={proxy} />
      </div>
      <GoldenSignals title="Inbound requests" params={{ ...base, direction: "inbound" }} testId="workload-inbound" />
      <GoldenSignals title="Outbound requests" params={{ ...base, direction: "outbound" }} testId="workload-outbound" />
      <AppliedConfig params={{ namespace, workload: name }} testId="workload-config" />
    </DetailPage>
  );
}
