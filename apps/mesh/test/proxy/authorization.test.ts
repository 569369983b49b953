/**
 * AuthorizationPolicy on the inbound sidecar, with callers whose identity is proven by
 * real mTLS certificates: DENY before ALLOW, ALLOW policies as an allow-list, dry-run
 * policies only reported; a denial is Envoy RBAC's 403 and never reaches the app.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
import { connect as netConnect } from "node:net";
import { describe, expect, it } from "vitest";
import { send, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload, type TestCa } from "./harness.ts";

usingMesh();

const FQDN = "reviews.default.svc.cluster.local:9080";

function policy(name: string, spec: string, annotations = ""): string {
  return `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ${name}
${annotations ? `  annotations: {${annotations}}\n` : ""}spec:
  selector: {matchLabels: {app: reviews}}
${spec}`;
}

/** The reviews app behind a sidecar that enforces `policies`, and a way to add callers. */
async function reviewsWith(policies: string) {
  const ca = await startCa();
  const app = await startUpstream("reviews-v1");
  const server = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: 1 }]) + policies,
    workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
    certs: await ca.issue("default", "reviews"),
    appPort: app.port,
  });
  const inbound = server.ports.inbound!;
  return { ca, app, server, inbound, caller: (serviceAccount: string, namespace = "default") => callerSidecar(ca, inbound, serviceAccount, namespace) };
}

/** A sidecar for workload `<serviceAccount>-v1` that reaches reviews over mTLS; returns a request function. */
async function callerSidecar(ca: TestCa, inbound: number, serviceAccount: string, namespace: string) {
  const sidecar = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: inbound, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]),
    workload: workload(`${serviceAccount}-v1`, { app: serviceAccount, version: "v1" }, namespace, serviceAccount),
    certs: await ca.issue(namespace, serviceAccount),
  });
  return (path = "/", init: { method?: string; headers?: Record<string, string> } = {}) => send(sidecar.ports.outbound, FQDN, path, init);
}

/** One plaintext HTTP/1.1 request straight to the inbound port (PERMISSIVE lets it in). */
function plaintextRequest(port: number, path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let received = "";
    // Fail here rather than at the test timeout when the sidecar neither answers nor closes.
    socket.setTimeout(5_000, () => {
      reject(new Error(`connection neither answered nor closed; read ${JSON.stringify(received)}`));
      socket.destroy();
    });
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.write(`GET ${path} HTTP/1.1\r\nHost: reviews:9080\r\n${extra}Connection: close\r\n\r\n`);
  });
}

const expectDenied = (reply: { status: number; text: string }) => {
  expect(reply.status).toBe(403);
  expect(reply.text).toBe("RBAC: access denied");
};

describe("ALLOW policies", () => {
  it("admits the principal it names and denies every other caller before the app", async () => {
    const mesh = await reviewsWith(policy("from-productpage", `  action: ALLOW\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]\n`));
    const productpage = await mesh.caller("productpage");
    const ratings = await mesh.caller("ratings");
    expect((await productpage("/allowed")).status).toBe(200);
    expectDenied(await ratings("/denied"));
    expect(mesh.app.requests.map((r) => r.path)).toEqual(["/allowed"]);
    const denial = mesh.server.accessLog.at(-1)!;
    expect(denial).toMatchObject({ path: "/denied", response_code: 403, downstream_peer_uri_san: "spiffe://cluster.local/ns/default/sa/ratings" });
  });

  it("denies a plaintext caller, which has no principal, under an ALLOW by principal", async () => {
    const mesh = await reviewsWith(policy("from-productpage", `  action: ALLOW\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]\n`));
    const raw = await plaintextRequest(mesh.inbound, "/plain");
    expect(raw).toMatch(/^HTTP\/1\.1 403 /);
    expect(raw.endsWith("\r\n\r\nRBAC: access denied")).toBe(true);
    expect(mesh.app.requests).toEqual([]);
  });

  it("admits callers from the namespaces it names", async () => {
    const mesh = await reviewsWith(policy("from-frontend", `  action: ALLOW\n  rules:\n  - from: [{source: {namespaces: ["frontend"]}}]\n`));
    const web = await mesh.caller("web", "frontend");
    const productpage = await mesh.caller("productpage", "default");
    expect((await web("/from-frontend")).status).toBe(200);
    expectDenied(await productpage("/from-default"));
    expect(mesh.app.requests.map((r) => r.path)).toEqual(["/from-frontend"]);
  });

  it("admits only the methods and paths it names", async () => {
    const mesh = await reviewsWith(policy("read-only", `  action: ALLOW\n  rules:\n  - to: [{operation: {methods: ["GET", "HEAD"], paths: ["/reviews/*", "/health"]}}]\n`));
    const call = await mesh.caller("productpage");
    expect((await call("/reviews/1")).status).toBe(200);
    expect((await call("/health?verbose=1")).status).toBe(200);
    expectDenied(await call("/reviews/1", { method: "POST" }));
    expectDenied(await call("/healthz"));
    expectDenied(await call("/admin"));
    expect(mesh.app.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /reviews/1", "GET /health?verbose=1"]);
  });

  it("admits requests whose header satisfies the when condition", async () => {
    const mesh = await reviewsWith(policy("canary-only", `  action: ALLOW\n  rules:\n  - when: [{key: "request.headers[x-canary]", values: ["yes", "always*"]}]\n`));
    const call = await mesh.caller("productpage");
    expect((await call("/a", { headers: { "x-canary": "yes" } })).status).toBe(200);
    expect((await call("/b", { headers: { "x-canary": "always-on" } })).status).toBe(200);
    expectDenied(await call("/c", { headers: { "x-canary": "no" } }));
    expectDenied(await call("/d"));
    expect(mesh.app.requests.map((r) => r.path)).toEqual(["/a", "/b"]);
  });

  it("denies every request when an ALLOW policy has no rules", async () => {
    const mesh = await reviewsWith(policy("allow-nothing", `  action: ALLOW\n`));
    const call = await mesh.caller("productpage");
    expectDenied(await call("/"));
    expect(await plaintextRequest(mesh.inbound, "/plain")).toMatch(/^HTTP\/1\.1 403 /);
    expect(mesh.app.requests).toEqual([]);
  });
});

describe("DENY and dry-run policies", () => {
  it("a matching DENY wins over a matching ALLOW", async () => {
    const mesh = await reviewsWith(
      policy("allow-productpage", `  action: ALLOW\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]\n`) +
        policy("deny-admin", `  action: DENY\n  rules:\n  - to: [{operation: {paths: ["/admin/*"]}}]\n`),
    );
    const call = await mesh.caller("productpage");
    expect((await call("/reviews/1")).status).toBe(200);
    expectDenied(await call("/admin/users"));
    expect(mesh.app.requests.map((r) => r.path)).toEqual(["/reviews/1"]);
  });

  it("does not enforce dry-run policies", async () => {
    const mesh = await reviewsWith(
      policy("deny-all-dry", `  action: DENY\n  rules:\n  - {}\n`, `istio.io/dry-run: "true"`) +
        policy("allow-nobody-dry", `  action: ALLOW\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/nobody"]}}]\n`, `istio.io/dry-run: "true"`),
    );
    const call = await mesh.caller("productpage");
    expect((await call("/dry")).status).toBe(200);
    expect(mesh.app.requests.map((r) => r.path)).toEqual(["/dry"]);
  });
});

describe("x-forwarded-client-cert", () => {
  it("names the mTLS caller's SPIFFE ID and replaces one the caller sent", async () => {
    const mesh = await reviewsWith("");
    const call = await mesh.caller("productpage");
    const forged = "By=spiffe://cluster.local/ns/default/sa/reviews;URI=spiffe://cluster.local/ns/default/sa/admin";
    expect((await call("/xfcc", { headers: { "x-forwarded-client-cert": forged } })).status).toBe(200);
    const xfcc = mesh.app.requests[0]!.headers["x-forwarded-client-cert"];
    expect(xfcc).toMatch(/^By=spiffe:\/\/cluster\.local\/ns\/default\/sa\/reviews;Hash=[0-9a-f]{64};Subject="";URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/productpage$/);
  });

  it("is removed when a plaintext caller forges it", async () => {
    const mesh = await reviewsWith("");
    const raw = await plaintextRequest(mesh.inbound, "/forged", {
      "x-forwarded-client-cert": "URI=spiffe://cluster.local/ns/default/sa/admin",
      "x-skein-peer-metadata": Buffer.from(JSON.stringify({ workload: "admin", namespace: "default", labels: {} })).toString("base64"),
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const seen = mesh.app.requests[0]!.headers;
    expect(seen["x-forwarded-client-cert"]).toBeUndefined();
    expect(seen["x-skein-peer-metadata"]).toBeUndefined();
  });

  it("does not let a forged header pass an ALLOW by principal", async () => {
    const mesh = await reviewsWith(policy("from-admin", `  action: ALLOW\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/admin"]}}]\n`));
    const raw = await plaintextRequest(mesh.inbound, "/forged", { "x-forwarded-client-cert": "URI=spiffe://cluster.local/ns/default/sa/admin" });
    expect(raw).toMatch(/^HTTP\/1\.1 403 /);
    expect(mesh.app.requests).toEqual([]);
  });
});
