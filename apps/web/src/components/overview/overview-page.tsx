"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { NamespaceSummary } from "@/server/overview/summarize";
import { overviewQuery } from "./overview-query";
import styles from "./overview.module.css";

const WINDOWS = ["1m", "5m", "10m", "30m", "1h"];

/** One card per namespace: apps and health, mTLS, config validation, sidecars ACKed. */
export function OverviewPage() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const duration = WINDOWS.includes(params.get("duration") ?? "") ? params.get("duration")! : "5m";
  const overview = useQuery(overviewQuery(duration));

  return (
    <div className={styles.page}>
      <div className={styles.head}>
        <h1>Overview</h1>
        <label className={styles.window}>
          Health over the last
          <select value={duration} onChange={(e) => router.replace(`${pathname}?duration=${e.target.value}`, { scroll: false })} data-testid="overview-duration">
            {WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
      </div>
      {overview.isLoading && <p className="muted">Loading namespaces…</p>}
      {overview.isError && (
        <p className="error" role="alert">
          Cannot load the overview: {(overview.error as Error).message}
        </p>
      )}
      {overview.data?.warnings.map((w) => (
        <p key={w} className={styles.warning} role="status">
          {w}
        </p>
      ))}
      {overview.data && overview.data.namespaces.length === 0 && <p className="muted">No namespaces yet: no workload has registered with the control plane and no config is stored.</p>}
      <div className={styles.cards}>
        {overview.data?.namespaces.map((ns) => (
          <NamespaceCard key={ns.name} ns={ns} healthKnown={overview.data.health !== null} />
        ))}
      </div>
    </div>
  );
}

function NamespaceCard({ ns, healthKnown }: { ns: NamespaceSummary; healthKnown: boolean }) {
  const q = encodeURIComponent(ns.name);
  const h = ns.health;
  const total = h.healthy + h.degraded + h.failure + h.idle;
  return (
    <section className={`panel ${styles.card}`} data-testid="overview-namespace" data-namespace={ns.name} aria-label={`Namespace ${ns.name}`}>
      <header className={styles.cardHead}>
        <h2>{ns.name}</h2>
        <nav className={styles.links}>
          <Link href={`/?namespaces=${q}`}>Graph</Link>
          <Link href={`/services?namespace=${q}`}>Services</Link>
          <Link href={`/workloads?namespace=${q}`}>Workloads</Link>
          <Link href={`/config?namespace=${q}`}>Config</Link>
        </nav>
      </header>
      <dl className={styles.facts}>
        <dt>Apps</dt>
        <dd data-testid="overview-apps">
          <strong>{ns.apps}</strong> <span className="muted">({ns.workloads} workloads, {ns.services} services)</span>
        </dd>
        <dt>Health</dt>
        <dd data-testid="overview-health">
          {!healthKnown ? (
            <span className="muted">unknown (Prometheus unreachable)</span>
          ) : (
            <>
              <span className={styles.healthBar} aria-hidden>
                {(["failure", "degraded", "healthy", "idle"] as const).map((s) =>
                  h[s] > 0 ? <span key={s} className={styles[`bar_${s}`]} style={{ flexGrow: h[s] }} /> : null,
                )}
              </span>
              {h.failure > 0 && <span className="badge failure">{h.failure} failure</span>} {h.degraded > 0 && <span className="badge degraded">{h.degraded} degraded</span>} {h.healthy > 0 && <span className="badge healthy">{h.healthy} healthy</span>}{" "}
              {h.idle > 0 && <span className="badge">{h.idle} no traffic</span>}
              {total === 0 && <span className="muted">no apps</span>}
            </>
          )}
        </dd>
        <dt>mTLS</dt>
        <dd data-testid="overview-mtls" data-mtls={ns.mtls.status}>
          <span className={`badge ${ns.mtls.status === "STRICT" ? "healthy" : ns.mtls.status === "DISABLE" ? "failure" : ns.mtls.status === "none" ? "" : "degraded"}`}>{ns.mtls.status === "none" ? "no workloads" : ns.mtls.status}</span>{" "}
          {ns.mtls.status === "mixed" && (
            <span className="muted">
              {Object.entries(ns.mtls.workloads)
                .map(([m, n]) => `${n} ${m}`)
                .join(", ")}
            </span>
          )}
          {ns.mtls.policies.length === 0 ? (
            <span className="muted"> (no PeerAuthentication: Istio&apos;s default PERMISSIVE)</span>
          ) : (
            <span className="muted">
              {" "}
              from{" "}
              {ns.mtls.policies.map((p, i) => (
                <span key={`${p.namespace}/${p.name}`}>
                  {i > 0 && ", "}
                  <Link href={`/config/PeerAuthentication/${p.namespace}/${p.name}`}>
                    {p.namespace}/{p.name}
                  </Link>
                </span>
              ))}
            </span>
          )}
        </dd>
        <dt>Istio config</dt>
        <dd data-testid="overview-config">
          {ns.config.total === 0 ? (
            <span className="muted">none</span>
          ) : (
            <>
              {ns.config.total} resources: {ns.config.valid > 0 && <span className="badge valid">{ns.config.valid} valid</span>} {ns.config.warnings > 0 && <span className="badge warning">{ns.config.warnings} with warnings</span>}{" "}
              {ns.config.errors > 0 && <span className="badge error">{ns.config.errors} with errors</span>}
            </>
          )}
        </dd>
        <dt>Sidecars</dt>
        <dd data-testid="overview-proxies">
          <strong>
            {ns.proxies.acked}/{ns.proxies.total}
          </strong>{" "}
          ACKed the latest config · {ns.proxies.connected} connected
          {ns.proxies.nacked > 0 && <span className="badge error"> {ns.proxies.nacked} NACKed</span>}
          {ns.proxies.pending > 0 && <span className="badge warning"> {ns.proxies.pending} waiting</span>}
        </dd>
      </dl>
    </section>
  );
}
