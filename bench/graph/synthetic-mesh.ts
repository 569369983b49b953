// The mesh the graph bench pretends to observe: namespaces of apps with one to three
// versions (one workload per version), calls between them, and what each call returns.
// Pure and seeded: the same plan always gives the same mesh, so two runs measure the same
// graph. Only traffic is simulated; the metrics describing it are Istio's own shapes
// (exposition.ts), scraped by a real Prometheus.

export interface GraphMeshPlan {
  namespaces: number;
  workloadsPerNamespace: number;
  /** Workload-to-workload edges (a call to a service of three versions is three edges). */
  edges: number;
  seed: number;
}

export interface SyntheticWorkload {
  name: string;
  namespace: string;
  app: string;
  version: string;
  serviceAccount: string;
}

/** One response class of an edge, as Istio's response labels spell it. */
export interface ResponseShare {
  code: string;
  /** grpc_response_status: "" for plain HTTP, as Istio reports it. */
  grpc: string;
  flags: string;
  /** Share of the edge's requests, 0..1. */
  share: number;
  /**
   * Which proxies see it: the server's proxy never sees a request its client's proxy
   * failed to deliver (UF, UT, URX), so those are reported by the source only.
   */
  reporters: "both" | "source";
}

export interface SyntheticEdge {
  /** Absent: a caller outside the mesh, which only the server's proxy reports. */
  source?: SyntheticWorkload;
  destination: SyntheticWorkload;
  protocol: "http" | "grpc" | "tcp";
  /** Requests per second; bytes per second sent for TCP. */
  rate: number;
  mtls: boolean;
  responses: ResponseShare[];
  /** Median request duration, ms (durations are log-normal around it). */
  p50Ms: number;
}

export interface SyntheticMesh {
  workloads: SyntheticWorkload[];
  edges: SyntheticEdge[];
}

/** Versions per app, cycled: averages two, so 100 workloads are 50 apps. */
const VERSION_PATTERN = [1, 3, 2, 2] as const;
const CROSS_NAMESPACE_SHARE = 0.15;
const MTLS_SHARE = 0.9;

export const namespaceName = (i: number) => `bench-${String(i).padStart(2, "0")}`;

/** A small seeded generator (mulberry32): the mesh must not change between runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticMesh(plan: GraphMeshPlan): SyntheticMesh {
  const rng = seededRandom(plan.seed);
  const apps = new Map<string, SyntheticWorkload[]>();
  const byNamespace: SyntheticWorkload[][][] = [];
  for (let n = 0; n < plan.namespaces; n++) {
    const namespace = namespaceName(n);
    const nsApps: SyntheticWorkload[][] = [];
    let left = plan.workloadsPerNamespace;
    for (let a = 0; left > 0; a++) {
      const versions = Math.min(VERSION_PATTERN[a % VERSION_PATTERN.length]!, left);
      left -= versions;
      const app = `svc-${String(a).padStart(3, "0")}`;
      const workloads = Array.from({ length: versions }, (_, v) => ({
        name: `${app}-v${v + 1}`,
        namespace,
        app,
        version: `v${v + 1}`,
        serviceAccount: app,
      }));
      nsApps.push(workloads);
      apps.set(`${namespace}/${app}`, workloads);
    }
    byNamespace.push(nsApps);
  }
  const workloads = byNamespace.flat(2);
  if (plan.edges < workloads.length) throw new RangeError(`${plan.edges} edges cannot reach all ${workloads.length} workloads`);

  const edges: SyntheticEdge[] = [];
  const calls = new Set<string>();
  const call = (source: SyntheticWorkload | undefined, app: SyntheticWorkload[], limit: number) => {
    const key = `${source ? `${source.namespace}/${source.name}` : "outside"}>${app[0]!.namespace}/${app[0]!.app}`;
    if (calls.has(key)) return;
    calls.add(key);
    const protocol = source === undefined ? "http" : pickProtocol(rng);
    // A call's rate is split over the versions behind the service, as a load balancer does.
    const rate = logUniform(rng, protocol === "tcp" ? 2_000 : 0.5, protocol === "tcp" ? 200_000 : 40);
    const mtls = source !== undefined && rng() < MTLS_SHARE;
    const responses = protocol === "tcp" ? [] : pickResponses(rng, protocol);
    const p50Ms = logUniform(rng, 2, 300);
    for (const destination of app.slice(0, limit)) {
      edges.push({ ...(source ? { source } : {}), destination, protocol, rate: rate / app.length, mtls, responses, p50Ms });
    }
  };

  // Every workload gets one inbound edge first, so the graph holds all of them: each app
  // is called by a lower app of its namespace, and the first app from outside the mesh.
  for (const nsApps of byNamespace) {
    for (const [a, app] of nsApps.entries()) {
      const callers = nsApps.slice(0, a).flat();
      call(a === 0 ? undefined : pick(rng, callers), app, app.length);
    }
  }
  // Then calls from random workloads, mostly down the app order inside a namespace, some
  // across namespaces; the bounded loop stops even on a plan with too few apps.
  for (let tries = 0; edges.length < plan.edges && tries < plan.edges * 100; tries++) {
    const source = pick(rng, workloads);
    const nsIndex = rng() < CROSS_NAMESPACE_SHARE ? Math.floor(rng() * plan.namespaces) : Number(source.namespace.slice("bench-".length));
    const nsApps = byNamespace[nsIndex]!;
    const own = nsApps.findIndex((app) => app[0]!.app === source.app && app[0]!.namespace === source.namespace);
    const below = own >= 0 && own + 1 < nsApps.length ? nsApps.slice(own + 1) : nsApps.filter((_, i) => i !== own);
    const app = pick(rng, below);
    call(source, app, plan.edges - edges.length);
  }
  return { workloads, edges };
}

/**
 * What the mesh gains between the first render and the refresh: new apps (one workload
 * each), each called by an app of its namespace and calling another, so each new node has
 * neighbours to be placed beside.
 */
export function meshGrowth(mesh: SyntheticMesh, count: number, seed: number): SyntheticMesh {
  const rng = seededRandom(seed);
  const namespaces = [...new Set(mesh.workloads.map((w) => w.namespace))];
  const workloads: SyntheticWorkload[] = [];
  const edges: SyntheticEdge[] = [];
  for (let i = 0; i < count; i++) {
    const namespace = namespaces[i % namespaces.length]!;
    const app = `svc-new-${String(i).padStart(2, "0")}`;
    const added = { name: `${app}-v1`, namespace, app, version: "v1", serviceAccount: app };
    workloads.push(added);
    const local = mesh.workloads.filter((w) => w.namespace === namespace);
    const ok: ResponseShare[] = [{ code: "200", grpc: "", flags: "-", share: 1, reporters: "both" }];
    edges.push({ source: pick(rng, local), destination: added, protocol: "http", rate: 5, mtls: true, responses: ok, p50Ms: 20 });
    edges.push({ source: added, destination: pick(rng, local), protocol: "http", rate: 3, mtls: true, responses: ok, p50Ms: 40 });
  }
  return { workloads, edges };
}

function pickProtocol(rng: () => number): SyntheticEdge["protocol"] {
  const r = rng();
  return r < 0.05 ? "tcp" : r < 0.1 ? "grpc" : "http";
}

const HTTP_ERRORS: Omit<ResponseShare, "share">[] = [
  { code: "503", grpc: "", flags: "-", reporters: "both" },
  { code: "500", grpc: "", flags: "-", reporters: "both" },
  { code: "404", grpc: "", flags: "-", reporters: "both" },
  { code: "503", grpc: "", flags: "UF", reporters: "source" },
  { code: "504", grpc: "", flags: "UT", reporters: "source" },
  { code: "0", grpc: "", flags: "DC", reporters: "source" },
];
const GRPC_ERRORS: Omit<ResponseShare, "share">[] = [
  { code: "200", grpc: "14", flags: "-", reporters: "both" },
  { code: "200", grpc: "5", flags: "-", reporters: "both" },
];

/**
 * Most edges succeed; one in six has one kind of error at a share from 0.5% to 30%, so
 * nodes and edges come out healthy, degraded and failing under Kiali's thresholds.
 */
function pickResponses(rng: () => number, protocol: "http" | "grpc"): ResponseShare[] {
  const okResponse = { code: "200", grpc: protocol === "grpc" ? "0" : "", flags: "-", reporters: "both" as const };
  if (rng() >= 1 / 6) return [{ ...okResponse, share: 1 }];
  const error = pick(rng, protocol === "grpc" ? GRPC_ERRORS : HTTP_ERRORS);
  const share = logUniform(rng, 0.005, 0.3);
  return [
    { ...okResponse, share: 1 - share },
    { ...error, share },
  ];
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  if (xs.length === 0) throw new RangeError("nothing to pick from");
  return xs[Math.floor(rng() * xs.length)]!;
}

function logUniform(rng: () => number, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo)));
}
