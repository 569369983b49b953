"use client";
import Link from "next/link";
import type { LoadBalancer, ProxyStatus, RouteMatch, StringMatch } from "@skein/shared/browser";
import { GridTable } from "@/components/ui/grid-table";
import { proxyState } from "@/server/overview/summarize";
import type { RouteTestDestination, RouteTestMatched, RouteTestResult } from "@/server/route-test/result";
import { formatLimit, formatMs, formatPercent } from "./format";
import styles from "./route-tester.module.css";

/** The route tester's answer, section by section in the order the sidecar decides. */
export function RouteTestAnswer({ result, proxy }: { result: RouteTestResult; proxy?: ProxyStatus | undefined }) {
  const state = proxyState(proxy);
  return (
    <section className={styles.result} data-testid="rt-result" aria-label="Route test result">
      <SourceLine result={result} />
      {proxy && state !== "acked" && (
        <p className={styles.stale} role="status">
          The source&apos;s sidecar is {state === "nacked" ? `refusing the latest config (${proxy.nack?.error ?? "NACK"}) and still runs version ${proxy.ackedVersion ?? "none"}` : state === "pending" ? "still applying the latest config" : "not connected"}: until it ACKs, it may route differently from this answer.
        </p>
      )}
      {result.matched ? <Matched r={result} /> : <NoRoute r={result} />}
      {result.config.length > 0 && (
        <div className="panel">
          <h2>Istio config that applies</h2>
          <ul className={styles.plain}>
            {result.config.map((c) => (
              <li key={`${c.kind}/${c.namespace}/${c.name}`}>
                <Link href={`/config/${c.kind}/${c.namespace}/${c.name}`}>
                  {c.kind} {c.namespace}/{c.name}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function SourceLine({ result }: { result: RouteTestResult }) {
  const s = result.source;
  return (
    <p className={styles.source}>
      From <strong>{s.namespace}/{s.workload}</strong> as <code>{s.spiffeId}</code>
      {result.virtualHost && (
        <>
          {" "}
          · listener <code>{result.virtualHost.listener}</code> · route config <code>{result.virtualHost.routeConfig}</code> · virtual host <code>{result.virtualHost.name}</code>
        </>
      )}
    </p>
  );
}

function NoRoute({ r }: { r: Extract<RouteTestResult, { matched: false }> }) {
  return (
    <div className={`panel ${styles.noRoute}`} data-testid="rt-no-route" role="status">
      <h2>
        No route: {r.status} {r.flag}
      </h2>
      <p>{r.reason.charAt(0).toUpperCase() + r.reason.slice(1)}. The sidecar answers 404 with response flag NR (NoRouteFound); nothing leaves the pod.</p>
      {r.knownHosts.length > 0 && (
        <details>
          <summary>Hosts this sidecar routes ({r.knownHosts.length})</summary>
          <ul className={styles.plain}>
            {r.knownHosts.map((h) => (
              <li key={h}>
                <code>{h}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function Matched({ r }: { r: RouteTestMatched }) {
  return (
    <>
      <div className="panel" data-testid="rt-route">
        <h2>Route</h2>
        <RouteLine r={r} />
        {r.action.type === "redirect" && (
          <p>
            Redirect {r.action.redirectCode}
            {r.action.scheme ? ` scheme ${r.action.scheme}` : ""}
            {r.action.authority ? ` to ${r.action.authority}` : ""}
            {r.action.port ? ` port ${r.action.port}` : ""}
            {r.action.uri ? ` path ${r.action.uri}` : ""}: answered by the source sidecar.
          </p>
        )}
        {r.action.type === "directResponse" && <p>Direct response {r.action.status}{r.action.body ? `: ${r.action.body}` : ""}, answered by the source sidecar.</p>}
        {(r.forwarded.path !== r.request.path || r.forwarded.authority !== r.request.authority) && (
          <p className="muted">
            Forwarded as <code>{r.forwarded.authority}{r.forwarded.path}</code>
          </p>
        )}
        {r.fault && (
          <p data-testid="rt-fault" className={styles.fault}>
            Fault injection:
            {r.fault.delay && ` delay ${formatMs(r.fault.delay.fixedDelayMs)} for ${r.fault.delay.percentage}% of requests (flag DI);`}
            {r.fault.abort && ` abort with ${r.fault.abort.httpStatus ?? `gRPC ${r.fault.abort.grpcStatus}`} for ${r.fault.abort.percentage}% of requests (flag FI)`}
          </p>
        )}
        {r.mirrors.length > 0 && <p>Mirrored to {r.mirrors.map((m) => `${m.cluster} (${m.percentage}%)`).join(", ")}</p>}
      </div>
      <div className={styles.twoCols}>
        <div className="panel" data-testid="rt-timeout">
          <h2>Timeout</h2>
          <p>{r.timeoutMs !== undefined ? <strong>{formatMs(r.timeoutMs)}</strong> : "none (Istio's default: no route timeout)"}</p>
          <p className="muted">Covers every retry.</p>
        </div>
        <div className="panel" data-testid="rt-retry">
          <h2>Retries</h2>
          {r.retry.attempts === 0 ? (
            <p>none</p>
          ) : (
            <p>
              <strong>{r.retry.attempts}</strong> attempt{r.retry.attempts === 1 ? "" : "s"} on <code>{r.retry.retryOn.join(",")}</code>
              {r.retry.retriableStatusCodes.length > 0 && <> (status {r.retry.retriableStatusCodes.join(", ")})</>}
              {r.retry.perTryTimeoutMs !== undefined && <>, per try {formatMs(r.retry.perTryTimeoutMs)}</>}, back-off {formatMs(r.retry.backoffBaseMs)}–{formatMs(r.retry.backoffMaxMs)}
            </p>
          )}
          {r.retry.istioDefault && <p className="muted">Istio&apos;s default policy: the route sets no retries.</p>}
        </div>
      </div>
      {r.action.type === "route" && <Destinations destinations={r.destinations} />}
      {r.authorization && (
        <div className="panel" data-testid="rt-authz" data-allowed={String(r.authorization.allowed)}>
          <h2>
            Authorization at the destination <span className={`badge ${r.authorization.allowed ? "healthy" : "failure"}`}>{r.authorization.allowed ? "allowed" : "denied"}</span>
          </h2>
          <p>{r.authorization.summary}</p>
          {r.authorization.endpoints.length > 0 && (
            <GridTable columns={["Workload", "mTLS mode", "Connection", "Policies", "Decision"]}>
              {r.authorization.endpoints.map((e) => (
                <tr key={`${e.namespace}/${e.workload}/${e.security}`}>
                  <td>
                    <Link href={`/workloads/${e.namespace}/${e.workload}`}>{e.workload}</Link>
                  </td>
                  <td>{e.mtlsMode}</td>
                  <td>{e.connectionRefused ? <span className="error">refused ({e.security})</span> : e.security}</td>
                  <td>{e.policies.length === 0 ? <span className="muted">none</span> : e.policies.map((p) => `${p.action} ${p.name}${p.dryRun ? " (dry run)" : ""}`).join(", ")}</td>
                  <td className={e.allowed ? "ok" : "error"}>{e.reason}</td>
                </tr>
              ))}
            </GridTable>
          )}
        </div>
      )}
    </>
  );
}

function RouteLine({ r }: { r: RouteTestMatched }) {
  const { route } = r;
  if (!route.virtualService) return <p>The catch-all route <code>{route.name}</code>: no VirtualService covers this host, so all requests go to the whole service.</p>;
  const vs = route.virtualService;
  return (
    <p>
      <code>{route.name}</code> — route {route.index !== undefined ? `#${route.index}` : ""} of VirtualService{" "}
      <Link href={`/config/VirtualService/${vs.namespace}/${vs.name}`}>
        {vs.namespace}/{vs.name}
      </Link>
      {route.match ? (
        <>
          , match {route.matchIndex !== undefined ? `#${route.matchIndex}` : ""}: <code>{describeMatch(route.match)}</code>
        </>
      ) : (
        ", which matches every request"
      )}
    </p>
  );
}

function sm(m: StringMatch): string {
  return "exact" in m ? `= ${m.exact}` : "prefix" in m ? `^= ${m.prefix}` : `~ ${m.regex}`;
}

function describeMatch(m: RouteMatch): string {
  const parts: string[] = [];
  if (m.uri) parts.push(`uri ${sm(m.uri)}${m.ignoreUriCase ? " (any case)" : ""}`);
  if (m.method) parts.push(`method ${sm(m.method)}`);
  if (m.authority) parts.push(`authority ${sm(m.authority)}`);
  if (m.scheme) parts.push(`scheme ${sm(m.scheme)}`);
  for (const h of m.headers) parts.push(`${h.invert ? "without " : ""}header ${h.name}${h.match ? ` ${sm(h.match)}` : " present"}`);
  for (const q of m.queryParams) parts.push(`query ${q.name}${q.match ? ` ${sm(q.match)}` : ""}`);
  if (m.port !== undefined) parts.push(`port ${m.port}`);
  return parts.length === 0 ? "any request" : parts.join(", ");
}

function lbText(lb: LoadBalancer): string {
  if (lb.type !== "CONSISTENT_HASH") return lb.type;
  const on = "header" in lb.hashOn ? `header ${lb.hashOn.header}` : "cookie" in lb.hashOn ? `cookie ${lb.hashOn.cookie.name}` : "sourceIp" in lb.hashOn ? "source IP" : `query ${lb.hashOn.queryParameter}`;
  return `${lb.algorithm} on ${on}`;
}

function Destinations({ destinations }: { destinations: RouteTestDestination[] }) {
  return (
    <>
      <div className="panel">
        <h2>Weighted destinations</h2>
        <GridTable columns={["Subset", "Weight", "Chance", "Cluster", "Load balancer", "Upstream TLS", "Connection pool", "Outlier detection"]} testId="rt-destinations">
          {destinations.map((d) => (
            <tr key={d.cluster} data-testid="rt-destination" data-subset={d.subset ?? ""} data-weight={d.weight}>
              <td>{d.subset ?? <span className="muted">(whole service)</span>}</td>
              <td>{d.weight}</td>
              <td className={styles.chance}>
                <span className={styles.chanceBar} style={{ width: `${Math.round(d.chance * 60)}px` }} /> {formatPercent(d.chance)}
              </td>
              <td>
                <code>{d.cluster}</code>
                {d.destinationRule && (
                  <div>
                    <Link href={`/config/DestinationRule/${d.destinationRule.namespace}/${d.destinationRule.name}`}>DestinationRule {d.destinationRule.name}</Link>
                  </div>
                )}
              </td>
              <td>{lbText(d.lb)}</td>
              <td>
                {d.tls.mode}
                {d.tls.auto ? " (auto)" : ""}
              </td>
              <td className={styles.small}>
                max conn {formatLimit(d.connectionPool.maxConnections)}, pending {formatLimit(d.connectionPool.http1MaxPendingRequests)}, requests {formatLimit(d.connectionPool.http2MaxRequests)}, retries {formatLimit(d.connectionPool.maxRetries)}
              </td>
              <td className={styles.small}>
                {d.outlierDetection
                  ? `${d.outlierDetection.consecutive5xxErrors} × 5xx / ${d.outlierDetection.consecutiveGatewayErrors} × gateway errors every ${formatMs(d.outlierDetection.intervalMs)}, eject ${formatMs(d.outlierDetection.baseEjectionTimeMs)}, max ${d.outlierDetection.maxEjectionPercent}%`
                  : "off"}
              </td>
            </tr>
          ))}
        </GridTable>
      </div>
      <div className="panel" data-testid="rt-endpoints">
        <h2>Endpoints</h2>
        <GridTable columns={["Subset", "Address", "Workload", "Labels", "Transport"]}>
          {destinations.flatMap((d) =>
            d.endpoints.length === 0
              ? [
                  <tr key={d.cluster}>
                    <td>{d.subset ?? "—"}</td>
                    <td colSpan={4} className="error">
                      No endpoints: requests here fail with 503 UH (no healthy upstream).
                    </td>
                  </tr>,
                ]
              : d.endpoints.map((e) => (
                  <tr key={`${d.cluster}/${e.address}:${e.port}`} data-testid="rt-endpoint">
                    <td>{d.subset ?? "—"}</td>
                    <td>
                      <code>
                        {e.address}:{e.port}
                      </code>
                    </td>
                    <td>{e.workload && e.namespace ? <Link href={`/workloads/${e.namespace}/${e.workload}`}>{e.workload}</Link> : "—"}</td>
                    <td className={styles.small}>
                      {Object.entries(e.labels)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(", ")}
                    </td>
                    <td>{e.security}</td>
                  </tr>
                )),
          )}
        </GridTable>
      </div>
    </>
  );
}
