import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateSources, type Workload } from "@skein/shared";
import { ManualClock } from "../proxy/clock.ts";
import { WorkloadRegistry } from "./registry.ts";

function reviews(version: string, inboundPort: number | null = 15006, extra: Partial<Workload> = {}): Workload {
  return {
    name: `reviews-${version}`,
    namespace: "default",
    serviceAccount: "reviews",
    labels: { app: "reviews", version },
    service: { name: "reviews", ports: [{ port: 9080, name: "http" }] },
    address: "127.0.0.1",
    ...(inboundPort !== null ? { inboundPort } : {}),
    ...extra,
  };
}

function setup(graceMs = 1_000) {
  const clock = new ManualClock();
  const registry = new WorkloadRegistry({ graceMs, timers: clock });
  let changes = 0;
  registry.onChange(() => changes++);
  return { clock, registry, changes: () => changes };
}

describe("WorkloadRegistry liveness", () => {
  it("registers a workload while its stream is open and drops it a grace period after it closes", () => {
    const { clock, registry, changes } = setup();
    const lease = registry.register(reviews("v1"));
    expect(registry.list().map((w) => w.name)).toEqual(["reviews-v1"]);
    expect(changes()).toBe(1);
    lease.release();
    clock.advance(999);
    expect(registry.get("default", "reviews-v1")).toBeDefined();
    clock.advance(1);
    expect(registry.get("default", "reviews-v1")).toBeUndefined();
    expect(changes()).toBe(2);
  });

  it("does not flap when the sidecar reconnects within the grace period", () => {
    const { clock, registry, changes } = setup();
    registry.register(reviews("v1")).release();
    clock.advance(500);
    registry.register(reviews("v1"));
    clock.advance(5_000);
    expect(registry.get("default", "reviews-v1")).toBeDefined();
    expect(changes()).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it("keeps a workload while any of its streams is open, and releasing twice counts once", () => {
    const { clock, registry } = setup();
    const a = registry.register(reviews("v1"));
    const b = registry.register(reviews("v1"));
    a.release();
    a.release();
    clock.advance(10_000);
    expect(registry.get("default", "reviews-v1")).toBeDefined();
    b.release();
    clock.advance(10_000);
    expect(registry.get("default", "reviews-v1")).toBeUndefined();
  });

  it("reports a change when a reconnecting workload comes back different, and none when it is the same", () => {
    const { registry, changes } = setup();
    registry.register(reviews("v1", 15006));
    registry.register({ ...reviews("v1", 15006), labels: { version: "v1", app: "reviews" } });
    expect(changes()).toBe(1);
    registry.register(reviews("v1", 15007));
    expect(changes()).toBe(2);
    expect(registry.get("default", "reviews-v1")!.inboundPort).toBe(15007);
  });
});

describe("WorkloadRegistry.serviceRegistry", () => {
  it("groups workloads by namespace and service into services reached at their sidecars' inbound ports", () => {
    const { registry } = setup();
    registry.register(reviews("v2", 15016));
    registry.register(reviews("v1", 15006));
    registry.register({ name: "productpage-v1", namespace: "default", serviceAccount: "productpage", labels: { app: "productpage" }, address: "127.0.0.1" });
    registry.register({ ...reviews("v1", 15026), namespace: "staging" });
    const { services } = registry.serviceRegistry();
    expect(services.map((s) => s.host)).toEqual(["reviews.default.svc.cluster.local", "reviews.staging.svc.cluster.local"]);
    expect(services[0]).toEqual({
      host: "reviews.default.svc.cluster.local",
      name: "reviews",
      namespace: "default",
      ports: [{ number: 9080, name: "http", protocol: "http" }],
      selector: { app: "reviews" },
      external: false,
      endpoints: [
        { address: "127.0.0.1", ports: { http: 15006 }, labels: { app: "reviews", version: "v1" }, workload: "reviews-v1", namespace: "default", serviceAccount: "reviews", sidecar: true, weight: 1 },
        { address: "127.0.0.1", ports: { http: 15016 }, labels: { app: "reviews", version: "v2" }, workload: "reviews-v2", namespace: "default", serviceAccount: "reviews", sidecar: true, weight: 1 },
      ],
    });
  });

  it("takes the union of the members' ports and their protocols from names or explicit values", () => {
    const { registry } = setup();
    registry.register(reviews("v1", 15006, { service: { name: "reviews", ports: [{ port: 9080, name: "http" }] } }));
    registry.register(reviews("v2", 15016, { service: { name: "reviews", ports: [{ port: 9090, name: "grpc-api" }, { port: 9080, name: "other" }, { port: 5432, name: "db", protocol: "TCP", targetPort: 6543 }] } }));
    expect(registry.serviceRegistry().services[0]!.ports).toEqual([
      { number: 5432, name: "db", protocol: "tcp", targetPort: 6543 },
      { number: 9080, name: "http", protocol: "http" },
      { number: 9090, name: "grpc-api", protocol: "grpc" },
    ]);
  });

  it("reaches a workload without an inbound listener at its app port, in plaintext", () => {
    const { registry } = setup();
    registry.register(reviews("v1", null));
    const [endpoint] = registry.serviceRegistry().services[0]!.endpoints;
    expect(endpoint).toMatchObject({ ports: {}, sidecar: false });
  });

  it("recomputes after a change and reuses its result otherwise", () => {
    const { registry } = setup();
    registry.register(reviews("v1"));
    const first = registry.serviceRegistry();
    expect(registry.serviceRegistry()).toBe(first);
    registry.register(reviews("v2"));
    expect(registry.serviceRegistry()).not.toBe(first);
    expect(registry.serviceRegistry().services[0]!.endpoints).toHaveLength(2);
  });
});

describe("WorkloadRegistry as validation context", () => {
  const subsets = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v9, labels: {version: v9}}
`;

  it("shows workloads as Deployments and services as Services", () => {
    const { registry } = setup();
    registry.register(reviews("v1"));
    expect(registry.kubernetesObjects()).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "reviews-v1", namespace: "default", labels: { app: "reviews", version: "v1" } },
        spec: { selector: { matchLabels: { app: "reviews", version: "v1" } }, template: { metadata: { labels: { app: "reviews", version: "v1" } }, spec: { serviceAccountName: "reviews" } } },
      },
      { apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: "default" }, spec: { selector: { app: "reviews", version: "v1" }, ports: [{ name: "http", port: 9080 }] } },
    ]);
  });

  it("lets the validator find registered services and tell subsets that select no workload", () => {
    const { registry } = setup();
    registry.register(reviews("v1"));
    registry.register(reviews("v2"));
    const alone = validateSources([{ file: "dr.yaml", text: subsets }]).files[0]!.diagnostics;
    expect(alone.map((d) => d.message).join("\n")).toMatch(/no Service or ServiceEntry defines it/);
    const withRegistry = validateSources([{ file: "dr.yaml", text: subsets }], { context: registry.validationContext() }).files[0]!.diagnostics;
    expect(withRegistry.map((d) => d.message)).toEqual([expect.stringMatching(/subset "v9" labels \{version: v9\} match none of the workloads/)]);
  });
});

describe("WorkloadRegistry across a control-plane restart", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function stateFile(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), "skein-registry-"));
    dirs.push(d);
    return join(d, "registry.json");
  }
  const flushSaves = async (registry: WorkloadRegistry) => registry.close();

  it("saves its workloads, once for a burst of changes, readable by the control plane only", async () => {
    const file = await stateFile();
    const clock = new ManualClock();
    const registry = new WorkloadRegistry({ timers: clock, stateFile: file });
    registry.register(reviews("v1"));
    registry.register(reviews("v2"));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(100);
    await flushSaves(registry);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual([reviews("v1"), reviews("v2")]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("knows the saved workloads at once and drops those whose sidecar does not come back", async () => {
    const file = await stateFile();
    await writeFile(file, JSON.stringify([reviews("v1"), reviews("v2")]));
    const clock = new ManualClock();
    const registry = await WorkloadRegistry.restore({ timers: clock, stateFile: file, restoreGraceMs: 30_000 });
    let changes = 0;
    registry.onChange(() => changes++);
    expect(registry.serviceRegistry().services[0]!.endpoints).toHaveLength(2);
    registry.register(reviews("v1"));
    expect(changes).toBe(0);
    clock.advance(30_000);
    expect(registry.list().map((w) => w.name)).toEqual(["reviews-v1"]);
    expect(changes).toBe(1);
  });

  it("starts empty, and says why, when the saved file cannot be read", async () => {
    const file = await stateFile();
    await writeFile(file, "{not json");
    const lines: string[] = [];
    const registry = await WorkloadRegistry.restore({ stateFile: file, timers: new ManualClock(), log: (l) => lines.push(l) });
    expect(registry.list()).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^ignoring saved registry .*registry\.json/)]);
    const fresh = await WorkloadRegistry.restore({ stateFile: join(file, "..", "none.json"), timers: new ManualClock(), log: (l) => lines.push(l) });
    expect(fresh.list()).toEqual([]);
    expect(lines).toHaveLength(1);
  });
});
