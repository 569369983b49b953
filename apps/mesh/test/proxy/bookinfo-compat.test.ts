/**
 * Istio's bookinfo networking samples, read in place from the shared compatibility folder,
 * each run in a real sidecar in front of per-version apps that answer with their name.
 * bookinfo-plan.ts derives the checks from each file's content; the table below states
 * what those checks must be, so a file that changes, or a new file, is noticed. Where the
 * folder is absent (a user's clone) the suite says so and skips.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Resource } from "@skein/shared";
import { appName, BOOKINFO, BOOKINFO_PORT, describeCheck, planFor, type Check } from "./bookinfo-plan.ts";
import { loadYaml, send, sendMany, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload, type Reply, type TestSidecar, type Upstream } from "./harness.ts";

usingMesh();

const COMPAT = resolve(process.env.SKEIN_COMPAT_DIR ?? join(import.meta.dirname, "../../../../../shared/compat/istio"));
const NETWORKING = join(COMPAT, "valid", "bookinfo", "networking");
const present = existsSync(join(NETWORKING, "destination-rule-all.yaml"));
if (!present) console.warn(`bookinfo compat tests skipped: ${NETWORKING} not found (set SKEIN_COMPAT_DIR to Istio's compat folder)`);

const EVERY_SERVICE_ANY = (path: string) => [
  `productpage:9080 GET ${path} -> any of productpage-v1`,
  `reviews:9080 GET ${path} -> any of reviews-v1, reviews-v2, reviews-v3`,
  `ratings:9080 GET ${path} -> any of ratings-v1, ratings-v2, ratings-v2-mysql, ratings-v2-mysql-vm`,
  `details:9080 GET ${path} -> any of details-v1, details-v2`,
];
const SUBSET_PROBES = [
  "productpage:9080 GET / x-probe-subset=v1 -> productpage-v1",
  "productpage:9080 GET / -> any of productpage-v1",
  "reviews:9080 GET / x-probe-subset=v1 -> reviews-v1",
  "reviews:9080 GET / x-probe-subset=v2 -> reviews-v2",
  "reviews:9080 GET / x-probe-subset=v3 -> reviews-v3",
  "reviews:9080 GET / -> any of reviews-v1, reviews-v2, reviews-v3",
  "ratings:9080 GET / x-probe-subset=v1 -> ratings-v1",
  "ratings:9080 GET / x-probe-subset=v2 -> ratings-v2",
  "ratings:9080 GET / x-probe-subset=v2-mysql -> ratings-v2-mysql",
  "ratings:9080 GET / x-probe-subset=v2-mysql-vm -> ratings-v2-mysql-vm",
  "ratings:9080 GET / -> any of ratings-v1, ratings-v2, ratings-v2-mysql, ratings-v2-mysql-vm",
  "details:9080 GET / x-probe-subset=v1 -> details-v1",
  "details:9080 GET / x-probe-subset=v2 -> details-v2",
  "details:9080 GET / -> any of details-v1, details-v2",
];
const mtlsCluster = (s: string) => `cluster outbound|9080||${s}.default.svc.cluster.local: tls ISTIO_MUTUAL`;

/** Every file of the folder and the checks its content must give. */
const ROWS: Record<string, string[]> = {
  // Bound to the ingress gateway only: sidecars keep their default routes.
  "bookinfo-gateway.yaml": EVERY_SERVICE_ANY("/productpage"),
  "certmanager-gateway.yaml": EVERY_SERVICE_ANY("/.well-known/acme-challenge/probe"),
  // DestinationRules alone: each subset selects its version (through a probe VirtualService the plan adds).
  "destination-rule-all.yaml": SUBSET_PROBES,
  "destination-rule-all-mtls.yaml": [
    ...["productpage", "reviews", "ratings", "details"].flatMap((s) => [mtlsCluster(s), ...SUBSET_PROBES.filter((l) => l.startsWith(`${s}:`))]),
    "every hop to an app is mutual TLS",
  ],
  "destination-rule-reviews.yaml": ["cluster outbound|9080||reviews.default.svc.cluster.local: lb RANDOM", ...SUBSET_PROBES.filter((l) => l.startsWith("reviews:"))],
  // Port 80 is sent to port 443 with TLS origination; no DNS or internet here, so the check
  // is the cluster the request reaches (it has no endpoints) and the clusters' policy.
  "egress-rule-google-apis.yaml": [
    "www.googleapis.com:80 GET / -> 503 UH at outbound|443||www.googleapis.com",
    "cluster outbound|80||www.googleapis.com: lb ROUND_ROBIN",
    "cluster outbound|443||www.googleapis.com: lb ROUND_ROBIN tls SIMPLE",
  ],
  "fault-injection-details-v1.yaml": ["details:9080 GET / -> abort 555", "details:9080 route #1 unreachable (an earlier route takes all its requests)"],
  "virtual-service-all-v1.yaml": ["productpage:9080 GET / -> productpage-v1", "reviews:9080 GET / -> reviews-v1", "ratings:9080 GET / -> ratings-v1", "details:9080 GET / -> details-v1"],
  "virtual-service-details-v2.yaml": ["details:9080 GET / -> details-v2"],
  "virtual-service-ratings-db.yaml": ["reviews:9080 GET / -> reviews-v3", "ratings:9080 GET / -> ratings-v2"],
  "virtual-service-ratings-mysql.yaml": ["reviews:9080 GET / -> reviews-v3", "ratings:9080 GET / -> ratings-v2-mysql"],
  "virtual-service-ratings-mysql-vm.yaml": ["reviews:9080 GET / -> reviews-v3", "ratings:9080 GET / -> ratings-v2-mysql-vm"],
  "virtual-service-ratings-test-abort.yaml": ["ratings:9080 GET / end-user=jason -> abort 500", "ratings:9080 GET / -> ratings-v1"],
  "virtual-service-ratings-test-delay.yaml": ["ratings:9080 GET / end-user=jason -> delay 7000ms, ratings-v1", "ratings:9080 GET / -> ratings-v1"],
  "virtual-service-reviews-50-v3.yaml": ["reviews:9080 GET / -> reviews-v1 50%, reviews-v3 50%"],
  "virtual-service-reviews-80-20.yaml": ["reviews:9080 GET / -> reviews-v1 80%, reviews-v2 20%"],
  "virtual-service-reviews-90-10.yaml": ["reviews:9080 GET / -> reviews-v1 90%, reviews-v2 10%"],
  "virtual-service-reviews-jason-v2-v3.yaml": ["reviews:9080 GET / end-user=jason -> reviews-v2", "reviews:9080 GET / -> reviews-v3"],
  "virtual-service-reviews-test-v2.yaml": ["reviews:9080 GET / end-user=jason -> reviews-v2", "reviews:9080 GET / -> reviews-v1"],
  "virtual-service-reviews-v2-v3.yaml": ["reviews:9080 GET / -> reviews-v2 50%, reviews-v3 50%"],
  "virtual-service-reviews-v3.yaml": ["reviews:9080 GET / -> reviews-v3"],
};

/** Resources as JSON documents (JSON is YAML), to join with the file's own text. */
const asDocument = (r: Resource) => JSON.stringify({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.metadata.name, namespace: r.metadata.namespace }, spec: r.spec });

interface World {
  apps: Map<string, Upstream>;
  /** ServiceEntries for the bookinfo services, endpoints by version. */
  entries: string;
  clientCerts?: Awaited<ReturnType<Awaited<ReturnType<typeof startCa>>["issue"]>>;
}

/**
 * One app per service version; with `mtls`, each behind its own sidecar with the
 * service's identity, so the client's ISTIO_MUTUAL has a peer to talk to.
 */
async function startWorld(mtls: boolean): Promise<World> {
  const ca = mtls ? await startCa() : undefined;
  const apps = new Map<string, Upstream>();
  const docs: string[] = [];
  for (const [service, versions] of Object.entries(BOOKINFO)) {
    const endpoints = [];
    for (const version of versions) {
      const app = await startUpstream(appName(service, version));
      apps.set(app.name, app);
      const labels = { app: service, version };
      if (!ca) {
        endpoints.push({ address: "127.0.0.1", ports: { http: app.port }, labels });
        continue;
      }
      const account = `bookinfo-${service}`;
      const server = await startSidecar({ yaml: serviceEntry(service, BOOKINFO_PORT, [{ port: app.port }]), workload: workload(app.name, labels, "default", account), certs: await ca.issue("default", account), appPort: app.port });
      endpoints.push({ address: "127.0.0.1", ports: { http: server.ports.inbound! }, labels, serviceAccount: account });
    }
    docs.push(
      JSON.stringify({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: `bookinfo-${service}`, namespace: "default" },
        spec: { hosts: [`${service}.default.svc.cluster.local`], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: BOOKINFO_PORT, name: "http", protocol: "HTTP" }], endpoints },
      }),
    );
  }
  return { apps, entries: docs.join("\n---\n"), ...(ca ? { clientCerts: await ca.issue("default", "client") } : {}) };
}

/** Count of Bernoulli(p) successes in n trials stays within 5 standard deviations except with probability < 1e-6. */
function expectShare(count: number, p: number, n: number, what: string): void {
  const sd = Math.sqrt(p * (1 - p) * n);
  expect(count, what).toBeGreaterThanOrEqual(p * n - 5 * sd);
  expect(count, what).toBeLessThanOrEqual(p * n + 5 * sd);
}

/** Timers may fire a millisecond early as performance.now sees it (libuv rounds the loop time). */
const TIMER_SLACK_MS = 2;

async function logOf(client: TestSidecar, requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const line = client.accessLog.find((l) => l.request_id === requestId);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no access-log line for request ${requestId}`);
}

const nameOf = (r: Reply) => (r.status === 200 ? String(r.json().name) : `status ${r.status}`);

/** Runs one check against the client sidecar; request ids tie each request to its log line and to what the apps saw. */
async function runCheck(c: Check, index: number, world: World, client: TestSidecar): Promise<void> {
  const what = describeCheck(c);
  if (c.kind === "unreachable" || c.kind === "mtls") return;
  if (c.kind === "cluster") {
    const cluster = client.sidecar.current()!.clusters[c.cluster];
    expect(cluster, what).toBeDefined();
    if (c.lb) expect(cluster!.lb.type, what).toBe(c.lb === "LEAST_CONN" ? "LEAST_REQUEST" : c.lb);
    if (c.tls) expect(cluster!.tls.mode, what).toBe(c.tls);
    return;
  }
  const call = (i: number) => send(client.ports.outbound, c.authority, c.path, { headers: { ...c.headers, "x-request-id": `check-${index}-${i}` } });
  const o = c.outcome;
  if (c.delayMs !== undefined) {
    const start = performance.now();
    const reply = await call(0);
    expect(performance.now() - start, what).toBeGreaterThanOrEqual(c.delayMs - TIMER_SLACK_MS);
    expect(String((await logOf(client, `check-${index}-0`)).response_flags), what).toMatch(/DI/);
    if (o.kind === "abort") expect(reply.status, what).toBe(o.status);
    else if (o.kind === "apps") expect(nameOf(reply), what).toBe(Object.keys(o.shares)[0]);
    return;
  }
  switch (o.kind) {
    case "abort": {
      const replies = await sendMany(5, 5, call);
      expect(replies.map((r) => r.status), what).toEqual(Array(5).fill(o.status));
      for (let i = 0; i < 5; i++) expect((await logOf(client, `check-${index}-${i}`)).response_flags, what).toBe("FI");
      const reached = [...world.apps.values()].flatMap((a) => a.requests).filter((r) => String(r.headers["x-request-id"]).startsWith(`check-${index}-`));
      expect(reached, `${what}: no app sees an aborted request`).toHaveLength(0);
      return;
    }
    case "unbacked": {
      const replies = await sendMany(3, 3, call);
      expect(replies.map((r) => r.status), what).toEqual([503, 503, 503]);
      const line = await logOf(client, `check-${index}-0`);
      expect({ flags: line.response_flags, cluster: line.upstream_cluster }, what).toEqual({ flags: "UH", cluster: o.cluster });
      return;
    }
    case "anyApp": {
      // Enough requests that each version answers at least once except with probability < 1e-6
      // (4 versions, 80 requests: 4 * (3/4)^80 ≈ 4e-10).
      const n = 20 * o.apps.length;
      const names = (await sendMany(n, 4, call)).map(nameOf);
      expect(new Set(names), what).toEqual(new Set(o.apps));
      return;
    }
    case "apps": {
      const apps = Object.entries(o.shares);
      const n = apps.length === 1 ? 20 : 400;
      const names = (await sendMany(n, 8, call)).map(nameOf);
      const counts = new Map<string, number>();
      for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
      expect([...counts.keys()].filter((k) => !(k in o.shares)), `${what}: answers from elsewhere`).toEqual([]);
      for (const [app, share] of apps) {
        if (share === 1) expect(counts.get(app), what).toBe(n);
        else expectShare(counts.get(app) ?? 0, share, n, `${what}: ${app}`);
      }
      return;
    }
  }
}

describe.skipIf(!present)("Istio bookinfo networking samples", () => {
  const files = present ? readdirSync(NETWORKING).filter((f) => /\.ya?ml$/.test(f)).sort() : [];

  it("has a row for every file in the folder and none for a file that is gone", () => {
    expect(files.filter((f) => !(f in ROWS)), "files with no row").toEqual([]);
    expect(Object.keys(ROWS).filter((f) => !files.includes(f)), "rows with no file").toEqual([]);
  });

  for (const file of files.filter((f) => f in ROWS)) {
    it(`${file} routes as it says: ${ROWS[file]!.length} checks`, async () => {
      const text = readFileSync(join(NETWORKING, file), "utf8");
      const subsetRules = loadYaml(readFileSync(join(NETWORKING, "destination-rule-all.yaml"), "utf8")).resources;
      const plan = planFor(loadYaml(text).resources, subsetRules);
      expect(plan.checks.map(describeCheck)).toEqual(ROWS[file]);

      const world = await startWorld(plan.mtls);
      const yaml = [world.entries, text, ...plan.extra.map(asDocument), ...plan.generated.map(asDocument)].join("\n---\n");
      const client = await startSidecar({ yaml, ...(world.clientCerts ? { certs: world.clientCerts } : {}) });
      // The checks are independent: running them together keeps a 7 s fault delay from adding up.
      await Promise.all(plan.checks.map((c, i) => runCheck(c, i, world, client)));

      if (plan.mtls) {
        const seen = [...world.apps.values()].flatMap((a) => a.requests);
        expect(seen.length).toBeGreaterThan(0);
        for (const r of seen) expect(String(r.headers["x-forwarded-client-cert"])).toContain("URI=spiffe://cluster.local/ns/default/sa/client");
      }
    });
  }
});
